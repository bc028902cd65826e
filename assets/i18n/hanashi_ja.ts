<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en_US">
  <context>
    <name>Hanashi</name>
    <message>
      <location filename="../../app/gui/app.py" line="50" />
      <source>The conversation database has a problem</source>
      <translation>会話データベースに問題があります</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="51" />
      <source>Hanashi's data folder cannot be used: %1</source>
      <translation>Hanashi のデータフォルダーを使えません：%1</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="61" />
      <source>Keep it aside and start a new one</source>
      <translation>別名で保管して新しく始める</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="63" />
      <source>Try again</source>
      <translation>再試行</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="64" />
      <source>Quit</source>
      <translation>終了</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="69" />
      <source>Database kept</source>
      <translation>データベースを保管しました</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="70" />
      <source>The damaged file was kept as %1.</source>
      <translation>壊れたファイルは %1 として保管しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="199" />
      <source>Settings</source>
      <translation>設定</translation>
    </message>
    <message>
      <location filename="../../app/gui/chat_view.py" line="267" />
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
      <location filename="../../app/gui/get_model_dialog.py" line="27" />
      <source>Model</source>
      <translation>モデル</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="27" />
      <source>Parameters</source>
      <translation>パラメーター数</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="27" />
      <source>Download</source>
      <translation>ダウンロード</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="27" />
      <source>Licence</source>
      <translation>ライセンス</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="27" />
      <source>Prompt format</source>
      <translation>プロンプト形式</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="28" />
      <source>Recommended for this computer</source>
      <translation>このコンピューターへのおすすめ</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="29" />
      <source>Downloading %1…</source>
      <translation>%1 をダウンロード中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="29" />
      <source>Checking the tokenizer…</source>
      <translation>トークナイザーを検証中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="30" />
      <source>Writing the GGUF file…</source>
      <translation>GGUFファイルを書き込み中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="30" />
      <source>Quantizing…</source>
      <translation>量子化中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="31" />
      <source>rinna chat (ユーザー/システム, &lt;NL&gt;)</source>
      <translation>rinna 対話形式(ユーザー/システム、&lt;NL&gt;)</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="32" />
      <source>rinna bilingual chat</source>
      <translation>rinna バイリンガル対話形式</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="32" />
      <source>dolly instruction ([SEP])</source>
      <translation>dolly 指示形式([SEP])</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="33" />
      <source>plain text continuation</source>
      <translation>文章の続きを書く形式</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="47" />
      <source>Too large for this computer: even %1 needs about %2 of memory, and %3 of RAM is free.</source>
      <translation>このコンピューターには大きすぎます。%1 でも約 %2 のメモリーが必要ですが、空いている RAM は %3 です。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="50" />
      <source>%1: about %2, fits in your GPU's %3 of free memory with room for the context.</source>
      <translation>%1:約 %2。GPU の空きメモリー %3 に、文脈の分も余裕をもって収まります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="53" />
      <source>%1: about %2, the usual balance of quality and speed (this system does not report its free memory).</source>
      <translation>%1:約 %2。品質と速度のバランスがよい標準的な選択です(このシステムは空きメモリーを報告しません)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="56" />
      <source>%1: about %2, leaves room in the %3 of RAM free now.</source>
      <translation>%1:約 %2。現在空いている RAM %3 に余裕をもって収まります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="58" />
      <source>%1: about %2, only just fits in the %3 of RAM free now: close other programs first.</source>
      <translation>%1:約 %2。現在空いている RAM %3 にぎりぎり収まります。先にほかのプログラムを閉じてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="61" />
      <source>Too large for your GPU's %1 of free memory.</source>
      <translation>GPU の空きメモリー %1 には収まりません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="198" />
      <source>Download: %1 (%2)</source>
      <translation>ダウンロード:%1(%2)</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="199" />
      <source>exact</source>
      <translation>正確な値</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="199" />
      <source>approximate: not stated on the card</source>
      <translation>概算:モデルカードに記載なし</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="209" />
      <source>Hanashi checks the model's files when the download starts; models whose architecture it cannot run are refused before any weights are downloaded.</source>
      <translation>ダウンロード開始時に Hanashi がモデルのファイルを確認します。動かせないアーキテクチャのモデルは、重みをダウンロードする前にお断りします。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="220" />
      <source>“%1” is not a repo id: write it as ORG/NAME (letters, digits, '-', '_' and '.'), for example rinna/japanese-gpt-neox-3.6b-instruction-ppo.</source>
      <translation>「%1」はリポジトリ ID ではありません。組織名/モデル名(英数字、「-」「_」「.」)の形で入力してください。例:rinna/japanese-gpt-neox-3.6b-instruction-ppo</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="255" />
      <source>The models folder cannot be used.</source>
      <translation>モデルフォルダーを使えません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="270" />
      <source>Looking up %1 on the Hugging Face Hub…</source>
      <translation>Hugging Face Hub で %1 を確認中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="272" />
      <source>Cancel stops at once. What was downloaded is kept: Download again continues where it stopped.</source>
      <translation>キャンセルするとすぐに止まります。ダウンロード済みの部分は残り、もう一度ダウンロードすると続きから再開します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="283" />
      <source>Cancelling…</source>
      <translation>キャンセル中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="304" />
      <source>%1 of %2</source>
      <translation>%1 / %2</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="307" />
      <source>%1/s</source>
      <translation>%1/秒</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="309" />
      <source>about %1 left</source>
      <translation>残り約 %1</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="321" />
      <source>%1 is already in the models folder (same revision and type).</source>
      <translation>%1 はすでにモデルフォルダーにあります(同じリビジョン・同じ形式)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="322" />
      <source>%1 is ready: %2, %3 family.</source>
      <translation>%1 の準備ができました(%2、%3 ファミリー)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="325" />
      <source>Tokenizer parity: exact — llama.cpp tokenizes exactly like the original model.</source>
      <translation>トークナイザー一致:完全一致 — llama.cppは元のモデルとまったく同じようにトークン化します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="327" />
      <source>Tokenizer parity: not exact — Hanashi will tokenize with the model's own sentencepiece model, embedded in the file.</source>
      <translation>トークナイザー一致:不完全 — Hanashiはファイルに埋め込まれたモデル自身のsentencepieceでトークン化します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="340" />
      <source>The model could not be downloaded.</source>
      <translation>モデルを入手できませんでした。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="346" />
      <source>Cancelled. Nothing was added to the models folder; what was downloaded is kept, and Download continues from there.</source>
      <translation>キャンセルしました。モデルフォルダーには何も追加していません。ダウンロード済みの部分は残してあり、もう一度ダウンロードすると続きから再開します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="368" />
      <source>Not supported yet</source>
      <translation>未対応</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="368" />
      <source>Too large</source>
      <translation>大きすぎます</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="382" />
      <source>Get a model</source>
      <translation>モデルを入手</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="384" />
      <source>this system does not report its free memory</source>
      <translation>このシステムは空きメモリーを報告しません</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="386" />
      <source>%1 of RAM free</source>
      <translation>空き RAM %1</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="387" />
      <source>%1 free on the GPU</source>
      <translation>GPU の空き %1</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="388" />
      <source>no GPU that Hanashi can use</source>
      <translation>Hanashi が使える GPU なし</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="389" />
      <source>This computer: %1, %2. Models are downloaded from the Hugging Face Hub when you press Download.</source>
      <translation>このコンピューター:%1、%2。モデルは「ダウンロード」を押したときに Hugging Face Hub から取得します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="393" />
      <source>Repo id:</source>
      <translation>リポジトリ ID:</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="394" />
      <source>Quantization:</source>
      <translation>量子化:</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="397" />
      <source>Progress</source>
      <translation>進行状況</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="398" />
      <source>Load now</source>
      <translation>今すぐ読み込む</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="399" />
      <source>Close</source>
      <translation>閉じる</translation>
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
      <location filename="../../app/gui/main_window.py" line="176" />
      <source>The model could not be loaded</source>
      <translation>モデルを読み込めませんでした</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="236" />
      <source>New conversation</source>
      <translation>新しい会話</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="237" />
      <source>Delete conversation</source>
      <translation>会話を削除</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="237" />
      <source>Delete "%1" and all its messages?</source>
      <translation>「%1」とそのすべてのメッセージを削除しますか?</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="238" />
      <source>Delete</source>
      <translation>削除</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="337" />
      <source>Empty reply: {0}</source>
      <translation>空の返答: {0}</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="355" />
      <source>The reply could not be written</source>
      <translation>返答を生成できませんでした</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="360" />
      <source>&amp;New conversation</source>
      <translation>新しい会話(&amp;N)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="361" />
      <source>Model &amp;library…</source>
      <translation>モデルライブラリ(&amp;L)…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="362" />
      <source>&amp;Settings…</source>
      <translation>設定(&amp;S)…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="363" />
      <source>&amp;Persona and sampling…</source>
      <translation>ペルソナとサンプリング(&amp;P)…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="364" />
      <source>&amp;Regenerate reply</source>
      <translation>返答を再生成(&amp;R)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="365" />
      <source>Re&amp;name conversation</source>
      <translation>会話の名前を変更(&amp;M)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="366" />
      <source>&amp;Search conversations</source>
      <translation>会話を検索(&amp;S)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="367" />
      <source>&amp;Quit</source>
      <translation>終了(&amp;Q)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="368" />
      <source>&amp;File</source>
      <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="369" />
      <source>&amp;Conversation</source>
      <translation>会話(&amp;C)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="370" />
      <source>&amp;Settings</source>
      <translation>設定(&amp;S)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="371" />
      <source>&amp;Language</source>
      <translation>言語(&amp;L)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="373" />
      <source>Follow the system</source>
      <translation>システムに合わせる</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="375" />
      <source>You are chatting with the tiny demo model: it only knows a few answers. Add a real model for real conversations.</source>
      <translation>小さなデモモデルと会話しています。答えられるのはいくつかの質問だけです。本格的な会話には実際のモデルを追加してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="377" />
      <source>Add a model…</source>
      <translation>モデルを追加…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="387" />
      <source>A model is being imported</source>
      <translation>モデルを取り込み中です</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="388" />
      <source>Hanashi is still importing a model. Stop the import and quit? The unfinished file will be removed.</source>
      <translation>モデルの取り込みがまだ終わっていません。取り込みを中止して終了しますか？ 途中のファイルは削除されます。</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="391" />
      <source>Keep importing</source>
      <translation>取り込みを続ける</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="392" />
      <source>Stop and quit</source>
      <translation>中止して終了</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="123" />
      <source>You</source>
      <translation>あなた</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="125" />
      <source>Assistant</source>
      <translation>アシスタント</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="127" />
      <source>writing…</source>
      <translation>入力中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="129" />
      <source>(stopped)</source>
      <translation>(停止)</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="132" />
      <source>Copy</source>
      <translation>コピー</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="133" />
      <source>Edit</source>
      <translation>編集</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="134" />
      <source>Regenerate</source>
      <translation>再生成</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="25" />
      <source>Name</source>
      <translation>名前</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="25" />
      <source>Family</source>
      <translation>ファミリー</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="25" />
      <source>Type</source>
      <translation>形式</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="25" />
      <source>Size</source>
      <translation>サイズ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="25" />
      <source>Tokenizer parity</source>
      <translation>トークナイザー一致</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="25" />
      <source>Where</source>
      <translation>場所</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="117" />
      <source>bundled demo</source>
      <translation>付属のデモ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="117" />
      <source>models folder</source>
      <translation>モデルフォルダ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="118" />
      <source>unreadable: %1</source>
      <translation>読み込めません: %1</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="152" />
      <source>Open a GGUF model</source>
      <translation>GGUFモデルを開く</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="153" />
      <source>GGUF models (*.gguf);;All files (*)</source>
      <translation>GGUFモデル (*.gguf);;すべてのファイル (*)</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="161" />
      <source>Delete %1 from the models folder? The file is removed from disk.</source>
      <translation>モデルフォルダから %1 を削除しますか?ファイルはディスクから削除されます。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="162" />
      <source>Remove %1 from the list? The file itself stays where it is.</source>
      <translation>%1 を一覧から外しますか?ファイル自体はそのまま残ります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="163" />
      <source>Delete model</source>
      <translation>モデルを削除</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="174" />
      <source>A model folder is being imported: wait until it has finished.</source>
      <translation>モデルフォルダーを取り込み中です。終わるまでお待ちください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="195" />
      <source>Choose a Hugging Face model folder</source>
      <translation>Hugging Faceのモデルフォルダを選択</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="216" />
      <source>Reading %1…</source>
      <translation>%1 を読み込み中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="249" />
      <source>Imported %1</source>
      <translation>%1 を取り込みました</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="254" />
      <source>%1 was converted to %2 (%3 family).</source>
      <translation>%1 を %2 に変換しました(ファミリー: %3)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="256" />
      <source>Import finished</source>
      <translation>取り込み完了</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="262" />
      <source>Import failed</source>
      <translation>取り込みに失敗しました</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="263" />
      <source>The folder could not be converted.</source>
      <translation>フォルダを変換できませんでした。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="268" />
      <source>Import cancelled; nothing was written.</source>
      <translation>取り込みをキャンセルしました。何も書き込まれていません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="280" />
      <source>Model library</source>
      <translation>モデルライブラリ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="281" />
      <source>&lt;b&gt;Add a model.&lt;/b&gt; Hanashi runs GGUF files. The tiny demo model is always here, but it only knows a few answers. For real conversations, download a model folder from Hugging Face (for example &lt;i&gt;rinna/japanese-gpt-neox-3.6b-instruction-ppo&lt;/i&gt;: the safetensors weights, config.json, spiece.model and the tokenizer files), then choose &lt;i&gt;Import folder…&lt;/i&gt; below: Hanashi converts and quantizes it and checks its tokenizer. A GGUF made elsewhere can be opened directly with &lt;i&gt;Open GGUF…&lt;/i&gt;. Easiest of all: &lt;i&gt;Get a model…&lt;/i&gt; downloads a model from the Hugging Face Hub, converts it and checks it in one step.</source>
      <translation>&lt;b&gt;モデルを追加するには&lt;/b&gt; HanashiはGGUFファイルを実行します。小さなデモモデルはいつでも使えますが、答えられるのはいくつかの質問だけです。本格的な会話には、Hugging Faceからモデルのフォルダ(例:&lt;i&gt;rinna/japanese-gpt-neox-3.6b-instruction-ppo&lt;/i&gt; のsafetensorsの重み、config.json、spiece.model、トークナイザーのファイル)をダウンロードし、下の&lt;i&gt;フォルダを取り込む…&lt;/i&gt;を選んでください。Hanashiが変換・量子化し、トークナイザーを検証します。ほかで作られたGGUFは&lt;i&gt;GGUFを開く…&lt;/i&gt;で直接開けます。いちばん簡単なのは&lt;i&gt;モデルを入手…&lt;/i&gt;です。Hugging Face Hub からモデルをダウンロードし、変換と検証まで一度に行います。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="290" />
      <source>Get a model…</source>
      <translation>モデルを入手…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="291" />
      <source>Load</source>
      <translation>読み込む</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="292" />
      <source>Open GGUF…</source>
      <translation>GGUFを開く…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="298" />
      <source>Models folder: %1</source>
      <translation>モデルフォルダ: %1</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="299" />
      <source>Import a Hugging Face folder</source>
      <translation>Hugging Faceのフォルダを取り込む</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="301" />
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
      <location filename="../../app/gui/pull_worker.py" line="33" />
      <source>There is no model %1 on the Hugging Face Hub, or it is private. Check the repo id.</source>
      <translation>Hugging Face Hub に %1 というモデルはありません(または非公開です)。リポジトリ ID を確認してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="34" />
      <source>%1 is gated: the Hub lets only signed-in users who accepted its terms download it. Accept the terms on the model's page, create an access token in your Hugging Face settings, set it as the HF_TOKEN environment variable and restart Hanashi.</source>
      <translation>%1 はアクセス制限付きです。利用条件に同意したサインイン済みのユーザーだけがダウンロードできます。モデルのページで条件に同意し、Hugging Face の設定でアクセストークンを作成して環境変数 HF_TOKEN に設定し、Hanashi を再起動してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="37" />
      <source>The requested revision of %1 does not exist on the Hub.</source>
      <translation>指定された %1 のリビジョンは Hub にありません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="38" />
      <source>Hanashi is set to work offline (HF_HUB_OFFLINE) and %1 is not in the download cache. Unset HF_HUB_OFFLINE and restart Hanashi to download it.</source>
      <translation>Hanashi はオフラインで動作する設定(HF_HUB_OFFLINE)になっていて、%1 はダウンロードキャッシュにありません。ダウンロードするには HF_HUB_OFFLINE を解除して Hanashi を再起動してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="40" />
      <source>The Hugging Face Hub could not be reached. Check the internet connection and press Download again: what was already downloaded is kept.</source>
      <translation>Hugging Face Hub に接続できませんでした。インターネット接続を確認して、もう一度ダウンロードしてください。ダウンロード済みの部分は残っています。</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="42" />
      <source>There is not enough free disk space to download and convert %1. Free some space and press Download again.</source>
      <translation>%1 をダウンロードして変換するためのディスクの空き容量が足りません。空きを作ってから、もう一度ダウンロードしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="44" />
      <source>Hanashi cannot convert %1: its architecture is not one Hanashi supports.</source>
      <translation>Hanashi は %1 を変換できません。Hanashi が対応していないアーキテクチャです。</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="45" />
      <source>A file %1 needs for the conversion is missing, could not be stored, or did not arrive intact. Press Download again: a damaged part is downloaded anew.</source>
      <translation>%1 の変換に必要なファイルが見つからないか、保存できないか、正しく届きませんでした。もう一度ダウンロードしてください。壊れた部分は新しくダウンロードし直します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="220" />
      <source>%1 could not be downloaded and converted.</source>
      <translation>%1 をダウンロード・変換できませんでした。</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="223" />
      <source>How to fix: %1</source>
      <translation>対処法:%1</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="233" />
      <source>%1 s</source>
      <translation>%1 秒</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="235" />
      <source>%1 min</source>
      <translation>%1 分</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="236" />
      <source>%1 h %2 min</source>
      <translation>%1 時間 %2 分</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="46" />
      <source>the disk is full</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="47" />
      <source>the conversation database is locked by another program</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="48" />
      <source>the conversation database cannot be written</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="49" />
      <source>the conversation was deleted in another window</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="50" />
      <source>the conversation was changed in another window while the reply was written</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="75" />
      <source>This reply could not be saved: {0}. It is kept here and saved as soon as it can be (Hanashi tries again every few seconds); you can also copy it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="78" />
      <source>This reply was not saved: {0}. Copy it to keep it.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="80" />
      <source>Retry save</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="82" />
      <source>Discard</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="133" />
      <source>The last reply is not saved yet</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="134" />
      <source>Save the reply (Retry save), or copy and discard it, before sending the next message. What you typed is kept.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="178" />
      <source>not saved</source>
      <translation type="unfinished" />
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
      <location filename="../../app/gui/stale_view.py" line="33" />
      <source>The conversation was changed in another window</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/stale_view.py" line="34" />
      <source>This conversation was changed in another Hanashi window (or by hanashi chat) after this window showed it, so nothing was deleted or changed. It has been reloaded: look at it as it is now and try again.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/stale_view.py" line="38" />
      <source>The conversation was deleted</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/stale_view.py" line="39" />
      <source>This conversation was deleted in another Hanashi window, so nothing was changed.</source>
      <translation type="unfinished" />
    </message>
    <message>
      <location filename="../../app/gui/stale_view.py" line="102" />
      <source>The reply was saved.</source>
      <translation type="unfinished" />
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
      <location filename="../../app/gui/window_panels.py" line="44" />
      <source>The model is in use</source>
      <translation>モデルは使用中です</translation>
    </message>
    <message>
      <location filename="../../app/gui/window_panels.py" line="44" />
      <source>Load another model before deleting this one.</source>
      <translation>削除する前に別のモデルを読み込んでください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/window_panels.py" line="51" />
      <source>The model could not be deleted</source>
      <translation>モデルを削除できませんでした</translation>
    </message>
    <message>
      <location filename="../../app/gui/window_panels.py" line="108" />
      <source>The settings could not be saved</source>
      <translation>設定を保存できませんでした</translation>
    </message>
  </context>
</TS>
