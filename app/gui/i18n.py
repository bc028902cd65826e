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
_shown = ["en"]


def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str | None:
    return QCoreApplication.translate(CONTEXT, text, disambiguation, n)


def N_(text: str) -> str:
    """Marks a string for translation where it is defined; ``tr(value)`` translates it where shown."""
    return text


def current() -> str:
    """The language the UI shows now ("en" or "ja")."""
    return _shown[0]


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
        qt = qt_translator(app)  # Qt's own strings: standard buttons, file dialogs
        if qt is not None:
            _installed.append(qt)
        _installed.append(QtGaps(app))  # installed last: asked first
        for t in _installed:
            app.installTranslator(t)
    QLocale.setDefault(QLocale(QLocale.Language.Japanese if lang == "ja" else QLocale.Language.English))
    _shown[0] = lang
    return lang


class QtGaps(QTranslator):
    """Qt's own strings that its Japanese catalog lacks (Qt changed their source text, e.g. added a
    shortcut letter), and the file dialog's labels with Japanese full-width colons."""

    TEXTS = {("QFileDialog", "&Look in:"): "場所(&L)：", ("QFileDialog", "Files of &type:"): "ファイルの種類(&T)：",
             ("QFileDialog", "File &name:"): "ファイル名(&N)：", ("QFileDialog", "Directory:"): "ディレクトリ："}

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        return self.TEXTS.get((context, source))  # None: a null string, "not mine"

    def isEmpty(self) -> bool:
        return False


def qt_translator(app, name: str = "qtbase_ja") -> QTranslator | None:
    """Qt's own Japanese (file dialogs' "Look in:", "Files of type:", standard buttons): from Qt's
    translations folder, or from Hanashi's own i18n folder, where the bundled app carries a copy."""
    for folder in (QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), str(paths.I18N_DIR)):
        qt = QTranslator(app)
        if folder and qt.load(name, folder):
            return qt
    return None
