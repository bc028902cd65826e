# Included into llama-cpp-python's CMake project (CMAKE_PROJECT_INCLUDE) by scripts/setup-venv.sh.
#
# With GGML_BACKEND_DL, llama.cpp builds its backends — the CPU kernels for each x86 generation
# (GGML_CPU_ALL_VARIANTS), CUDA — as modules it loads at run time, choosing the best CPU variant
# for the machine it runs on. llama-cpp-python installs only the libraries it links, so this adds
# every backend module to the wheel, next to libllama in llama_cpp/lib, where Hanashi loads them
# from (quantize/llama_lib.py).
get_property(_hanashi_hooked GLOBAL PROPERTY HANASHI_BACKENDS_HOOKED)
if(NOT _hanashi_hooked)
    set_property(GLOBAL PROPERTY HANASHI_BACKENDS_HOOKED TRUE)
    function(hanashi_install_backends)
        if(NOT GGML_BACKEND_DL)
            return()
        endif()
        foreach(backend IN LISTS GGML_AVAILABLE_BACKENDS)
            if(TARGET ${backend})
                install(TARGETS ${backend} LIBRARY DESTINATION ${SKBUILD_PLATLIB_DIR}/llama_cpp/lib)
                message(STATUS "Hanashi: installing backend module ${backend}")
            endif()
        endforeach()
    endfunction()
    cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL hanashi_install_backends)
endif()
