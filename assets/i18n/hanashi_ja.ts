<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en_US">
  <context>
    <name>Hanashi</name>
    <message>
      <location filename="../../app/gui/app.py" line="48" />
      <source>The conversation database has a problem</source>
      <translation>会話データベースに問題があります</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="49" />
      <source>Hanashi's data folder cannot be used: %1</source>
      <translation>Hanashi のデータフォルダーを使えません：%1</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="59" />
      <source>Keep it aside and start a new one</source>
      <translation>別名で保管して新しく始める</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="61" />
      <source>Try again</source>
      <translation>再試行</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="62" />
      <source>Quit</source>
      <translation>終了</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="67" />
      <source>Database kept</source>
      <translation>データベースを保管しました</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="68" />
      <source>The damaged file was kept as %1.</source>
      <translation>壊れたファイルは %1 として保管しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="97" />
      <source>Settings</source>
      <translation>設定</translation>
    </message>
    <message>
      <location filename="../../app/gui/chat_view.py" line="124" />
      <source>You</source>
      <translation>あなた</translation>
    </message>
    <message>
      <location filename="../../app/gui/chat_view.py" line="126" />
      <source>Assistant</source>
      <translation>アシスタント</translation>
    </message>
    <message>
      <location filename="../../app/gui/chat_view.py" line="128" />
      <source>writing…</source>
      <translation>入力中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/chat_view.py" line="130" />
      <source>(stopped)</source>
      <translation>(停止)</translation>
    </message>
    <message>
      <location filename="../../app/gui/chat_view.py" line="133" />
      <source>Copy</source>
      <translation>コピー</translation>
    </message>
    <message>
      <location filename="../../app/gui/chat_view.py" line="134" />
      <source>Edit</source>
      <translation>編集</translation>
    </message>
    <message>
      <location filename="../../app/gui/chat_view.py" line="135" />
      <source>Regenerate</source>
      <translation>再生成</translation>
    </message>
    <message>
      <location filename="../../app/gui/chat_view.py" line="262" />
      <source>Type a message below to start the conversation.</source>
      <translation>下の欄にメッセージを入力して会話を始めましょう。</translation>
    </message>
    <message>
      <location filename="../../app/gui/composer.py" line="149" />
      <source>Message — Enter sends, Shift+Enter adds a line</source>
      <translation>メッセージ — Enterで送信、Shift+Enterで改行</translation>
    </message>
    <message>
      <location filename="../../app/gui/composer.py" line="150" />
      <source>Send</source>
      <translation>送信</translation>
    </message>
    <message>
      <location filename="../../app/gui/composer.py" line="151" />
      <source>Stop (Esc)</source>
      <translation>停止 (Esc)</translation>
    </message>
    <message>
      <location filename="../../app/gui/composer.py" line="152" />
      <source>Editing a message: sending replaces it and every message after it.</source>
      <translation>メッセージを編集中:送信すると、このメッセージとそれ以降のすべてのメッセージが置き換わります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/composer.py" line="153" />
      <source>Cancel edit</source>
      <translation>編集をやめる</translation>
    </message>
    <message>
      <location filename="../../app/gui/dialogs.py" line="53" />
      <source>Cancel</source>
      <translation>キャンセル</translation>
    </message>
    <message>
      <location filename="../../app/gui/gpu_notice.py" line="24" />
      <source>Your NVIDIA GPU is not used: this build of Hanashi has no GPU support, so models run on the CPU. To use the GPU, download the CUDA build of Hanashi.</source>
      <translation>NVIDIA の GPU が使われていません。この Hanashi は GPU に対応していないため、モデルは CPU で動いています。GPU を使うには、CUDA 版の Hanashi をダウンロードしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/gpu_notice.py" line="27" />
      <source>Your NVIDIA GPU is not used: llama.cpp was installed without GPU support, so models run on the CPU. To reinstall it with CUDA (a long compile), run:</source>
      <translation>NVIDIA の GPU が使われていません。llama.cpp が GPU 対応なしでインストールされているため、モデルは CPU で動いています。CUDA 対応で入れ直すには(コンパイルに時間がかかります)、次を実行してください:</translation>
    </message>
    <message>
      <location filename="../../app/gui/gpu_notice.py" line="29" />
      <source>Your NVIDIA GPU is not used: llama.cpp was built without GPU support, so models run on the CPU. To build it with CUDA (a long compile), quit Hanashi and run:</source>
      <translation>NVIDIA の GPU が使われていません。llama.cpp が GPU 対応なしでビルドされているため、モデルは CPU で動いています。CUDA 対応でビルドするには(コンパイルに時間がかかります)、Hanashi を終了して次を実行してください:</translation>
    </message>
    <message>
      <location filename="../../app/gui/gpu_notice.py" line="38" />
      <source>This build of llama.cpp has no GPU support, so models run on the CPU.</source>
      <translation>この llama.cpp は GPU に対応していないため、モデルは CPU で動きます。</translation>
    </message>
    <message>
      <location filename="../../app/gui/gpu_notice.py" line="40" />
      <source>This build of Hanashi has no GPU support, so models run on the CPU. To use your NVIDIA GPU, download the CUDA build of Hanashi.</source>
      <translation>この Hanashi は GPU に対応していないため、モデルは CPU で動きます。NVIDIA の GPU を使うには、CUDA 版の Hanashi をダウンロードしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/gpu_notice.py" line="42" />
      <source>This build of llama.cpp has no GPU support, so models run on the CPU. To use your NVIDIA GPU, run:</source>
      <translation>この llama.cpp は GPU に対応していないため、モデルは CPU で動きます。NVIDIA の GPU を使うには、次を実行してください:</translation>
    </message>
    <message>
      <location filename="../../app/gui/gpu_notice.py" line="101" />
      <source>Copy command</source>
      <translation>コマンドをコピー</translation>
    </message>
    <message>
      <location filename="../../app/gui/gpu_notice.py" line="102" />
      <source>Dismiss</source>
      <translation>閉じる</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="170" />
      <source>The model could not be loaded</source>
      <translation>モデルを読み込めませんでした</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="237" />
      <source>New conversation</source>
      <translation>新しい会話</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="238" />
      <source>Delete conversation</source>
      <translation>会話を削除</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="238" />
      <source>Delete "%1" and all its messages?</source>
      <translation>「%1」とそのすべてのメッセージを削除しますか?</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="239" />
      <source>Delete</source>
      <translation>削除</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="332" />
      <source>Empty reply: {0}</source>
      <translation>空の返答: {0}</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="347" />
      <source>The reply could not be written</source>
      <translation>返答を生成できませんでした</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="352" />
      <source>&amp;New conversation</source>
      <translation>新しい会話(&amp;N)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="353" />
      <source>Model &amp;library…</source>
      <translation>モデルライブラリ(&amp;L)…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="354" />
      <source>&amp;Settings…</source>
      <translation>設定(&amp;S)…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="355" />
      <source>&amp;Persona and sampling…</source>
      <translation>ペルソナとサンプリング(&amp;P)…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="356" />
      <source>&amp;Regenerate reply</source>
      <translation>返答を再生成(&amp;R)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="357" />
      <source>Re&amp;name conversation</source>
      <translation>会話の名前を変更(&amp;M)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="358" />
      <source>&amp;Search conversations</source>
      <translation>会話を検索(&amp;S)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="359" />
      <source>&amp;Quit</source>
      <translation>終了(&amp;Q)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="360" />
      <source>&amp;File</source>
      <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="361" />
      <source>&amp;Conversation</source>
      <translation>会話(&amp;C)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="362" />
      <source>&amp;Settings</source>
      <translation>設定(&amp;S)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="363" />
      <source>&amp;Language</source>
      <translation>言語(&amp;L)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="365" />
      <source>Follow the system</source>
      <translation>システムに合わせる</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="367" />
      <source>You are chatting with the tiny demo model: it only knows a few answers. Add a real model for real conversations.</source>
      <translation>小さなデモモデルと会話しています。答えられるのはいくつかの質問だけです。本格的な会話には実際のモデルを追加してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="369" />
      <source>Add a model…</source>
      <translation>モデルを追加…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="379" />
      <source>A model is being imported</source>
      <translation>モデルを取り込み中です</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="380" />
      <source>Hanashi is still importing a model. Stop the import and quit? The unfinished file will be removed.</source>
      <translation>モデルの取り込みがまだ終わっていません。取り込みを中止して終了しますか？ 途中のファイルは削除されます。</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="383" />
      <source>Keep importing</source>
      <translation>取り込みを続ける</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="384" />
      <source>Stop and quit</source>
      <translation>中止して終了</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="23" />
      <source>Name</source>
      <translation>名前</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="23" />
      <source>Family</source>
      <translation>ファミリー</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="23" />
      <source>Type</source>
      <translation>形式</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="23" />
      <source>Size</source>
      <translation>サイズ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="23" />
      <source>Tokenizer parity</source>
      <translation>トークナイザー一致</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="23" />
      <source>Where</source>
      <translation>場所</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="24" />
      <source>Checking the tokenizer…</source>
      <translation>トークナイザーを検証中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="24" />
      <source>Writing the GGUF file…</source>
      <translation>GGUFファイルを書き込み中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="25" />
      <source>Quantizing…</source>
      <translation>量子化中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="110" />
      <source>bundled demo</source>
      <translation>付属のデモ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="110" />
      <source>models folder</source>
      <translation>モデルフォルダ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="111" />
      <source>unreadable: %1</source>
      <translation>読み込めません: %1</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="145" />
      <source>Open a GGUF model</source>
      <translation>GGUFモデルを開く</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="146" />
      <source>GGUF models (*.gguf);;All files (*)</source>
      <translation>GGUFモデル (*.gguf);;すべてのファイル (*)</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="154" />
      <source>Delete %1 from the models folder? The file is removed from disk.</source>
      <translation>モデルフォルダから %1 を削除しますか?ファイルはディスクから削除されます。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="155" />
      <source>Remove %1 from the list? The file itself stays where it is.</source>
      <translation>%1 を一覧から外しますか?ファイル自体はそのまま残ります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="156" />
      <source>Delete model</source>
      <translation>モデルを削除</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="161" />
      <source>Choose a Hugging Face model folder</source>
      <translation>Hugging Faceのモデルフォルダを選択</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="182" />
      <source>Reading %1…</source>
      <translation>%1 を読み込み中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="190" />
      <source>Cancelling…</source>
      <translation>キャンセル中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="212" />
      <source>Imported %1</source>
      <translation>%1 を取り込みました</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="213" />
      <source>Tokenizer parity: exact — llama.cpp tokenizes exactly like the original model.</source>
      <translation>トークナイザー一致:完全一致 — llama.cppは元のモデルとまったく同じようにトークン化します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="215" />
      <source>Tokenizer parity: not exact — Hanashi will tokenize with the model's own sentencepiece model, embedded in the file.</source>
      <translation>トークナイザー一致:不完全 — Hanashiはファイルに埋め込まれたモデル自身のsentencepieceでトークン化します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="217" />
      <source>%1 was converted to %2 (%3 family).</source>
      <translation>%1 を %2 に変換しました(ファミリー: %3)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="219" />
      <source>Import finished</source>
      <translation>取り込み完了</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="225" />
      <source>Import failed</source>
      <translation>取り込みに失敗しました</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="226" />
      <source>The folder could not be converted.</source>
      <translation>フォルダを変換できませんでした。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="231" />
      <source>Import cancelled; nothing was written.</source>
      <translation>取り込みをキャンセルしました。何も書き込まれていません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="243" />
      <source>Model library</source>
      <translation>モデルライブラリ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="244" />
      <source>&lt;b&gt;Add a model.&lt;/b&gt; Hanashi runs GGUF files. The tiny demo model is always here, but it only knows a few answers. For real conversations, download a model folder from Hugging Face (for example &lt;i&gt;rinna/japanese-gpt-neox-3.6b-instruction-ppo&lt;/i&gt;: the safetensors weights, config.json, spiece.model and the tokenizer files), then choose &lt;i&gt;Import folder…&lt;/i&gt; below: Hanashi converts and quantizes it and checks its tokenizer. A GGUF made elsewhere can be opened directly with &lt;i&gt;Open GGUF…&lt;/i&gt;.</source>
      <translation>&lt;b&gt;モデルを追加するには&lt;/b&gt; HanashiはGGUFファイルを実行します。小さなデモモデルはいつでも使えますが、答えられるのはいくつかの質問だけです。本格的な会話には、Hugging Faceからモデルのフォルダ(例:&lt;i&gt;rinna/japanese-gpt-neox-3.6b-instruction-ppo&lt;/i&gt; のsafetensorsの重み、config.json、spiece.model、トークナイザーのファイル)をダウンロードし、下の&lt;i&gt;フォルダを取り込む…&lt;/i&gt;を選んでください。Hanashiが変換・量子化し、トークナイザーを検証します。ほかで作られたGGUFは&lt;i&gt;GGUFを開く…&lt;/i&gt;で直接開けます。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="252" />
      <source>Load</source>
      <translation>読み込む</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="253" />
      <source>Open GGUF…</source>
      <translation>GGUFを開く…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="259" />
      <source>Models folder: %1</source>
      <translation>モデルフォルダ: %1</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="260" />
      <source>Import a Hugging Face folder</source>
      <translation>Hugging Faceのフォルダを取り込む</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="261" />
      <source>Quantization:</source>
      <translation>量子化:</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="262" />
      <source>Import folder…</source>
      <translation>フォルダを取り込む…</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="95" />
      <source>Conversation settings</source>
      <translation>会話の設定</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="96" />
      <source>Persona: text placed before the conversation. Lines starting with "User:" / "ユーザー:" or "Assistant:" / "システム:" become turns (rinna's first turns, dolly's role lines); other text is one instruction.</source>
      <translation>ペルソナ:会話の前に置かれる文章です。「User:」/「ユーザー:」または「Assistant:」/「システム:」で始まる行は発話になります(rinnaの最初の発話、dollyの役割指示)。それ以外の文章はひとつの指示になります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="100" />
      <source>User: あなたは親切なアシスタントです。
Assistant: はい、わかりました。</source>
      <translation>ユーザー: あなたは親切なアシスタントです。
システム: はい、わかりました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="101" />
      <source>Temperature (0 = greedy):</source>
      <translation>温度(0 = 貪欲法):</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="101" />
      <source>Top-p:</source>
      <translation>Top-p:</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="101" />
      <source>Top-k:</source>
      <translation>Top-k:</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="102" />
      <source>Repetition penalty:</source>
      <translation>繰り返しペナルティ:</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="102" />
      <source>Longest reply (tokens):</source>
      <translation>返答の最大長(トークン):</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="103" />
      <source>Seed:</source>
      <translation>シード:</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="106" />
      <source>random</source>
      <translation>ランダム</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="107" />
      <source>Use the model card's values</source>
      <translation>モデルカードの値に戻す</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="24" />
      <source>Automatic (as many as fit)</source>
      <translation>自動(収まるだけ)</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="24" />
      <source>All layers</source>
      <translation>すべての層</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="24" />
      <source>A number of layers</source>
      <translation>層の数を指定</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="25" />
      <source>Light</source>
      <translation>ライト</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="25" />
      <source>Dark</source>
      <translation>ダーク</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="107" />
      <source>GPU layers:</source>
      <translation>GPUレイヤー:</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="107" />
      <source>Context size:</source>
      <translation>コンテキスト長:</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="107" />
      <source>CPU threads:</source>
      <translation>CPUスレッド:</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="107" />
      <source>Language:</source>
      <translation>言語:</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="107" />
      <source>Theme:</source>
      <translation>テーマ:</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="126" />
      <source>The model's (up to 4096)</source>
      <translation>モデルの値(最大4096)</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="127" />
      <source>All cores (%1)</source>
      <translation>全コア(%1)</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="128" />
      <source>GPU layers, context size and threads apply when the model is loaded again (Hanashi reloads it when you press OK).</source>
      <translation>GPUレイヤー、コンテキスト長、スレッド数はモデルを読み込み直したときに反映されます(OKを押すとHanashiが読み込み直します)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="121" />
      <source>Search conversations</source>
      <translation>会話を検索</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="122" />
      <source>Rename</source>
      <translation>名前を変更</translation>
    </message>
    <message>
      <location filename="../../app/gui/status_bar.py" line="54" />
      <source>Loading %1…</source>
      <translation>%1 を読み込み中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/status_bar.py" line="58" />
      <source>No model loaded</source>
      <translation>モデル未読み込み</translation>
    </message>
    <message>
      <location filename="../../app/gui/status_bar.py" line="61" />
      <source>%1 tokens/s</source>
      <translation>%1 トークン/秒</translation>
    </message>
    <message>
      <location filename="../../app/gui/status_bar.py" line="62" />
      <source>context %1 / %2</source>
      <translation>コンテキスト %1 / %2</translation>
    </message>
    <message>
      <location filename="../../app/gui/window_panels.py" line="46" />
      <source>The model is in use</source>
      <translation>モデルは使用中です</translation>
    </message>
    <message>
      <location filename="../../app/gui/window_panels.py" line="46" />
      <source>Load another model before deleting this one.</source>
      <translation>削除する前に別のモデルを読み込んでください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/window_panels.py" line="53" />
      <source>The model could not be deleted</source>
      <translation>モデルを削除できませんでした</translation>
    </message>
    <message>
      <location filename="../../app/gui/window_panels.py" line="110" />
      <source>The settings could not be saved</source>
      <translation>設定を保存できませんでした</translation>
    </message>
  </context>
</TS>
