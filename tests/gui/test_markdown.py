"""Replies as Markdown: headings, lists, emphasis, tables and code blocks (with their own Copy),
the model's HTML shown as text and nothing ever fetched — real widgets (offscreen), real HTTP
on loopback for the fetch check, the real engine and SQLite for the copy round trip."""

from __future__ import annotations

import http.server
import threading
import time

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QFont, QFontInfo, QGuiApplication, QTextDocument

from app.storage import ASSISTANT, USER, Message

REPLY = """# 富士山について
富士山は**日本一高い**山で、*標高*は `3776m` です。

## 特徴
- 独立峰
- 世界遺産
  - 文化遺産として登録
1. 静岡県
2. 山梨県

| 項目 | 値 |
|:---|---:|
| 標高 | 3776m |
| 形 | 成層火山 |

> 引用の文です。

```python
def height():
    return "<b>3776</b>"  # 富士山
```
以上です。"""

CODE = 'def height():\n    return "<b>3776</b>"  # 富士山'


def view_with(qtbot, *messages):
    from app.gui.chat_view import ChatView

    view = ChatView()
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.show()
    view.show_messages(list(messages))
    return view


def blocks(doc: QTextDocument):
    block = doc.begin()
    while block.isValid():
        yield block
        block = block.next()


def fragments(doc: QTextDocument):
    for block in blocks(doc):
        it = block.begin()
        while not it.atEnd():
            yield it.fragment()
            it += 1


def test_a_reply_shows_headings_lists_emphasis_tables_and_code(qtbot):
    from app.gui.markdown_view import CodeBlock, MarkdownView

    view = view_with(qtbot, Message(1, 1, USER, "# 見出しではない **太字でもない**"),
                     Message(2, 1, ASSISTANT, REPLY, model="tiny"))
    user, reply = view.bubbles
    assert user.body.toPlainText() == "# 見出しではない **太字でもない**"  # what the user typed, as typed
    assert isinstance(reply.body, MarkdownView) and reply.content == REPLY
    doc = reply.body.first_text.document()
    headings = {b.text(): b.blockFormat().headingLevel() for b in blocks(doc) if b.blockFormat().headingLevel()}
    assert headings == {"富士山について": 1, "特徴": 2}
    bold = [f.text() for f in fragments(doc) if f.charFormat().fontWeight() >= 700 and f.text() == "日本一高い"]
    italic = [f.text() for f in fragments(doc) if f.charFormat().fontItalic()]
    assert bold == ["日本一高い"] and italic == ["標高"]
    code = [f.charFormat() for f in fragments(doc) if f.text() == "3776m"][0]  # (the table has it too)
    font = QFont()
    font.setFamilies(code.fontFamilies())
    assert QFontInfo(font).fixedPitch(), "inline code in a fixed-width font"
    items = [b.text() for b in blocks(doc) if b.textList() is not None]
    assert items[:3] == ["独立峰", "世界遺産", "文化遺産として登録"] and "静岡県" in items and "山梨県" in items
    tables = [f for f in doc.rootFrame().childFrames() if f.__class__.__name__ == "QTextTable"]
    assert len(tables) == 1 and (tables[0].rows(), tables[0].columns()) == (3, 2)
    assert tables[0].cellAt(2, 1).firstCursorPosition().block().text() == "成層火山"
    # The code block: its own part, monospace, exactly the code, then the text after it.
    [block] = reply.body.code_blocks()
    assert isinstance(block, CodeBlock) and block.code == CODE and block.text.toPlainText() == CODE
    assert block.language.text() == "python"
    assert QFontInfo(block.text.font()).fixedPitch()
    assert reply.body.parts[-1][1].toPlainText() == "以上です。"
    assert '"<b>3776</b>"' in block.text.toPlainText()


def test_code_block_copy_puts_exactly_the_code_on_the_clipboard(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    convo = window.storage.create_conversation("コード")
    window.storage.add_message(convo.id, USER, "コードを書いて")
    window.storage.add_message(convo.id, ASSISTANT, REPLY, model="tiny")
    window.select_conversation(convo.id)
    reply = window.chat.bubbles[-1]
    [block] = reply.body.code_blocks()
    QGuiApplication.clipboard().setText("before")
    block.copy_button.click()
    assert QGuiApplication.clipboard().text() == CODE
    reply.copy_button.click()  # the bubble's Copy: the reply as written, Markdown and all
    assert QGuiApplication.clipboard().text() == REPLY


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Counting.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Counting.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_hostile_html_in_a_reply_is_shown_as_text_and_fetches_nothing(qtbot, server, tmp_path):
    from PySide6.QtGui import QColor, QImage

    from app.gui.markdown_view import MessageText

    png = tmp_path / "local.png"
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    assert image.save(str(png))
    hostile = (f'<img src="{server}/img.png"> <script>alert(1)</script>\n'
               f'<a href="{server}/click">押して</a> <style>body {{ background: url({server}/css.png) }}</style>\n'
               f'![画像]({server}/md.png) <img src="{png.as_uri()}"> <iframe src="{server}/frame"></iframe>\n'
               f'[リンク](javascript:alert(1)) &lt;b&gt; **<b>太字</b>**\n\n'
               f'| <img src="{server}/cell.png"> | x |\n|---|---|\n| <script>y</script> | z |')
    view = view_with(qtbot, Message(1, 1, USER, "?"), Message(2, 1, ASSISTANT, hostile, model="tiny"))
    reply = view.bubbles[-1]
    qtbot.wait(300)  # time for any fetch to have been made
    assert _Counting.hits == []
    doc = reply.body.first_text.document()
    text = doc.toPlainText()
    for literal in ("<script>alert(1)</script>", f'<img src="{server}/img.png">', "<style>", "<iframe",
                    "&lt;b&gt;", "<b>太字</b>", f"{server}/md.png", "javascript:alert(1)"):
        assert literal in text, literal
    assert not any(f.charFormat().isImageFormat() or f.charFormat().isAnchor() for f in fragments(doc))
    assert reply.content == hostile  # Copy still gives what the model wrote
    # Even HTML that did hold images (never made from a reply) reads no file and fetches nothing.
    text_widget = MessageText()
    qtbot.addWidget(text_widget)
    text_widget.setSearchPaths([str(tmp_path)])
    text_widget.setHtml(f'<img src="{png.as_uri()}" width="40" height="40"><img src="local.png" width="40" '
                        f'height="40"><img src="{server}/direct.png" width="40" height="40">')
    text_widget.resize(200, 60)
    text_widget.show()
    qtbot.wait(100)
    shot = text_widget.grab().toImage()
    red = sum(1 for x in range(shot.width()) for y in range(shot.height())
              if QColor(shot.pixel(x, y)).red() > 200 and QColor(shot.pixel(x, y)).green() < 80)
    assert red == 0, "the local image was read and drawn"
    for url in (png.as_uri(), f"{server}/direct.png", "local.png"):
        loaded = text_widget.document().resource(QTextDocument.ResourceType.ImageResource.value, QUrl(url))
        assert loaded is None or (loaded.width(), loaded.height()) == (1, 1)
    assert _Counting.hits == []


def test_a_reply_streams_as_plain_text_and_is_rendered_when_finished(qtbot):
    view = view_with(qtbot, Message(1, 1, USER, "?"))
    bubble = view.begin_reply("tiny")
    pieces = ["## 答え\n", "**富士", "山**です。\n", "```\nprint(1)\n", "```"]
    for piece in pieces:
        view.append_stream(piece)
        assert bubble.body.toPlainText() == bubble.content  # plain while written: one cheap append
    assert not bubble.body.code_blocks() and not bubble.stats_label.isVisibleTo(view)
    view.finish_reply(Message(2, 1, ASSISTANT, bubble.content, "done", "tiny"))
    doc = bubble.body.first_text.document()
    assert doc.toPlainText() == "答え\n富士山です。"
    assert [b.blockFormat().headingLevel() for b in blocks(doc)][0] == 2
    assert [b.code for b in bubble.body.code_blocks()] == ["print(1)"]
    assert bubble.content == "".join(pieces)


def test_markdown_rendering_stays_fast_on_pathological_text():
    from app.gui.markdown_html import segments, to_html

    hostile = ["*" * 50_000, "**a " * 12_000, "`" * 20_000 + "x", "[" * 50_000, "_a" * 25_000,
               "- " * 20_000, "> " * 20_000 + "x", "[a](" * 12_000, "|" * 30_000 + "\n|---|\n" + "|a" * 10_000,
               "```\n" * 20_000, "~~a " * 12_000, "\\" * 50_000]
    for text in hostile:
        started = time.perf_counter()
        html = "".join(to_html(s.source) for s in segments(text) if s.kind == "text")
        assert time.perf_counter() - started < 2.0, text[:20]
        assert "<script" not in html


def test_escaping_and_japanese_emphasis():
    from app.gui.markdown_html import inline, to_html

    assert inline("**「強調」**した") == "<b>「強調」</b>した"
    assert inline("snake_case_name と __init__") == "snake_case_name と <b>init</b>"
    assert inline("2 * 3 * 4") == "2 * 3 * 4"
    assert inline("`<b>` & <i>") == "<code>&lt;b&gt;</code> &amp; &lt;i&gt;"
    assert inline(r"\*そのまま\*") == "*そのまま*"
    assert inline('[a"b](http://x/"onmouseover=1)') == '<u>a&quot;b</u> <span style="color: gray">' \
                                                       '(http://x/&quot;onmouseover=1)</span>'
    assert to_html("一行目\n二行目") == "<p>一行目<br>二行目</p>"
    assert to_html("見出し\n===") == "<h1>見出し</h1>"
