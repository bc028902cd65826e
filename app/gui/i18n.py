"""The UI's languages: English in the code, Japanese from Qt's translation files.

Every visible string goes through ``tr("…")`` (one translation context, ``Hanashi``). The Japanese
source is ``assets/i18n/hanashi_ja.ts`` (Qt Linguist format); ``assets/i18n/update.py`` collects
new strings from the code into it and compiles ``hanashi_ja.qm`` with ``pyside6-lrelease``.
Installing a translator sends every widget a LanguageChange event: the widgets retranslate
themselves, so switching language needs no restart.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app import paths

CONTEXT = "Hanashi"
LANGUAGES = {"en": "English", "ja": "日本語"}

_installed: list[QTranslator] = []


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
    return QCoreApplication.translate(CONTEXT, text, disambiguation, n)


def N_(text: str) -> str:
    """Marks a string for translation where it is defined; ``tr(value)`` translates it where shown."""
    return text


def system_language() -> str:
    return "ja" if QLocale.system().language() == QLocale.Language.Japanese else "en"


def resolve(language: str) -> str:
    """A setting ("system", "en", "ja") → the language to show."""
    return system_language() if language in ("", "system") else language


def install(language: str) -> str:
    """Switch the UI to ``language`` (a setting value); returns the language now shown."""
    app = QCoreApplication.instance()
    lang = resolve(language)
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    if lang == "ja":
        ours = QTranslator(app)
        if ours.load(str(paths.I18N_DIR / "hanashi_ja.qm")):
            _installed.append(ours)
        qt = QTranslator(app)  # Qt's own strings: standard buttons, file dialogs
        if qt.load("qtbase_ja", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            _installed.append(qt)
        for t in _installed:
            app.installTranslator(t)
    QLocale.setDefault(QLocale(QLocale.Language.Japanese if lang == "ja" else QLocale.Language.English))
    return lang
