"""The window's size and place and the sidebar's width are remembered; hostile values in
settings.json are refused or made to fit a screen; the sidebar gives way on a narrow window;
messages keep a readable width, centred, on a wide one."""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QGuiApplication

from app import settings as settings_io
from app.gui.window_state import MIN_SIDEBAR, NARROW_SHARE
from app.storage import ASSISTANT, USER

LONG = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。" * 20


def _sidebar(window) -> int:
    return window.window_state.splitter.sizes()[0]


def _write(data_dir, **values) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "settings.json").write_text(json.dumps(values), encoding="utf-8")


def _screen():
    return QGuiApplication.primaryScreen().availableGeometry()


def test_geometry_and_sidebar_width_are_remembered(qtbot, make_window, data_dir):
    window = make_window()
    window.setGeometry(30, 40, 700, 520)
    qtbot.waitUntil(lambda: window.geometry().width() == 700)
    splitter = window.window_state.splitter
    splitter.moveSplitter(190, 1)  # what dragging the handle does
    assert _sidebar(window) == 190
    window.close()
    saved = settings_io.load()
    assert saved.window_geometry == [30, 40, 700, 520] and saved.sidebar_width == 190
    assert saved.window_maximized is False

    again = make_window()
    qtbot.waitUntil(lambda: _sidebar(again) == 190)
    g = again.geometry()
    assert [g.x(), g.y(), g.width(), g.height()] == [30, 40, 700, 520]


def test_the_sidebar_gives_way_on_a_narrow_window_and_comes_back(qtbot, make_window):
    window = make_window()
    window.resize(1000, 600)
    qtbot.waitUntil(lambda: _sidebar(window) == 240)
    window.resize(500, 600)  # (or the narrowest the window's contents allow)
    splitter = window.window_state.splitter
    qtbot.waitUntil(lambda: _sidebar(window) <= int(sum(splitter.sizes()) * NARROW_SHARE))
    assert window.width() < 700
    assert _sidebar(window) >= MIN_SIDEBAR
    chat = window.window_state.splitter.sizes()[1]
    assert chat > _sidebar(window)  # the conversation keeps most of the window
    window.resize(1000, 600)
    qtbot.waitUntil(lambda: _sidebar(window) == 240)  # the width the user had


@pytest.mark.parametrize("geometry", [[-100000, 0, 600, 400], [0, 0, 50, 50], [0, 0, -600, 400], "700x500",
                                      [1, 2, 3], [1.5, 2.0, 600.0, 400.0], [True, 0, 600, 400], None, {"x": 1},
                                      [0, 0, 10**30, 400]])
def test_hostile_geometry_values_fall_back_to_the_default(data_dir, geometry):
    _write(data_dir, window_geometry=geometry, theme="dark")
    s = settings_io.load()
    assert s.window_geometry == [] and s.theme == "dark"  # the other values are kept


@pytest.mark.parametrize("width", [-5, 10**9, "wide", True, 2.5, None, [240]])
def test_hostile_sidebar_widths_and_maximized_fall_back_to_the_default(data_dir, width):
    _write(data_dir, sidebar_width=width, window_maximized="yes")
    s = settings_io.load()
    assert s.sidebar_width == 0 and s.window_maximized is False


def test_a_place_off_every_screen_is_moved_onto_one(qtbot, make_window, data_dir):
    _write(data_dir, window_geometry=[20000, -20000, 780, 480], sidebar_width=200)
    window = make_window()
    area, g = _screen(), window.geometry()
    assert area.contains(g.topLeft()) and (g.width(), g.height()) == (780, 480)
    qtbot.waitUntil(lambda: _sidebar(window) == 200)


def test_a_size_larger_than_the_screen_is_made_to_fit(qtbot, make_window, data_dir):
    _write(data_dir, window_geometry=[0, 0, 30000, 30000])
    window = make_window()
    area, g = _screen(), window.geometry()
    assert g.width() <= area.width() and g.height() <= area.height()


def test_a_maximized_window_is_maximized_again(qtbot, make_window, data_dir):
    _write(data_dir, window_geometry=[10, 20, 600, 450], window_maximized=True)
    window = make_window()
    assert window.isMaximized()
    window.close()
    saved = settings_io.load()
    assert saved.window_maximized is True and saved.window_geometry[2:] == [600, 450]  # the normal size kept


def test_messages_keep_a_readable_width_centred_on_a_wide_window(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    convo = window.storage.create_conversation("長い")
    window.storage.add_message(convo.id, USER, LONG)
    window.storage.add_message(convo.id, ASSISTANT, LONG, model="tiny")
    window.select_conversation(convo.id)
    chat = window.chat
    readable = chat.readable_width()
    window.resize(2400, 800)
    qtbot.waitUntil(lambda: chat.bubbles[-1].width() <= readable)
    for bubble in chat.bubbles:
        left = bubble.x()
        right = chat.inner.width() - bubble.x() - bubble.width()
        assert bubble.width() >= readable - 2 and abs(left - right) <= 2  # centred, as wide as readable
        assert bubble.body.height() > 3 * bubble.fontMetrics().height()  # the long line wraps within it
    window.resize(700, 600)  # narrow: the messages fill the view, less its margin
    qtbot.waitUntil(lambda: chat.bubbles[-1].x() == 12)
    assert chat.bubbles[-1].width() == chat.inner.width() - 24 < readable
