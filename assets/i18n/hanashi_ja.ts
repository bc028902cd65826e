<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP" sourcelanguage="en_US">
  <context>
    <name>Hanashi</name>
    <message>
      <location filename="../../app/gui/app.py" line="55" />
      <source>The conversation database has a problem</source>
      <translation>会話データベースに問題があります</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="56" />
      <source>Hanashi's data folder cannot be used: %1</source>
      <translation>Hanashi のデータフォルダーを使えません：%1</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="68" />
      <source>Keep it aside and start a new one</source>
      <translation>別名で保管して新しく始める</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="70" />
      <source>Try again</source>
      <translation>再試行</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="71" />
      <source>Quit</source>
      <translation>終了</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="76" />
      <source>Database kept</source>
      <translation>データベースを保管しました</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="77" />
      <source>The damaged file was kept as %1.</source>
      <translation>壊れたファイルは %1 として保管しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/app.py" line="210" />
      <source>Settings</source>
      <translation>設定</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="14" />
      <source>Model</source>
      <translation>モデル</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="14" />
      <source>Parameters</source>
      <translation>パラメーター数</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="14" />
      <source>Download</source>
      <translation>ダウンロード</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="14" />
      <source>Licence</source>
      <translation>ライセンス</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="14" />
      <source>Prompt format</source>
      <translation>プロンプト形式</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="15" />
      <source>Recommended for this computer</source>
      <translation>このコンピューターへのおすすめ</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="16" />
      <source>Downloading %1…</source>
      <translation>%1 をダウンロード中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="16" />
      <source>Checking the tokenizer…</source>
      <translation>トークナイザーを検証中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="17" />
      <source>Writing the GGUF file…</source>
      <translation>GGUFファイルを書き込み中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="17" />
      <source>Quantizing…</source>
      <translation>量子化中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="18" />
      <source>rinna chat (ユーザー/システム, &lt;NL&gt;)</source>
      <translation>rinna 対話形式(ユーザー/システム、&lt;NL&gt;)</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="19" />
      <source>rinna bilingual chat</source>
      <translation>rinna バイリンガル対話形式</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="19" />
      <source>dolly instruction ([SEP])</source>
      <translation>dolly 指示形式([SEP])</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="20" />
      <source>plain text continuation</source>
      <translation>文章の続きを書く形式</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="20" />
      <source>byte-level text continuation (byGPT)</source>
      <translation>バイト単位の文章の続き（byGPT）</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="34" />
      <source>Too large for this computer: even %1 needs about %2 of memory, and %3 of RAM is free.</source>
      <translation>このコンピューターには大きすぎます。%1 でも約 %2 のメモリーが必要ですが、空いている RAM は %3 です。</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="37" />
      <source>%1: about %2, fits in your GPU's %3 of free memory with room for the context.</source>
      <translation>%1：約 %2。GPU の空きメモリー %3 に、文脈の分も余裕をもって収まります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="40" />
      <source>%1: about %2, the usual balance of quality and speed (this system does not report its free memory).</source>
      <translation>%1：約 %2。品質と速度のバランスがよい標準的な選択です(このシステムは空きメモリーを報告しません)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="43" />
      <source>%1: about %2, leaves room in the %3 of RAM free now.</source>
      <translation>%1：約 %2。現在空いている RAM %3 に余裕をもって収まります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="45" />
      <source>%1: about %2, only just fits in the %3 of RAM free now: close other programs first.</source>
      <translation>%1：約 %2。現在空いている RAM %3 にぎりぎり収まります。先にほかのプログラムを閉じてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/catalogue_texts.py" line="48" />
      <source>Too large for your GPU's %1 of free memory.</source>
      <translation>GPU の空きメモリー %1 には収まりません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/chat_view.py" line="316" />
      <source>Type a message below to start the conversation.</source>
      <translation>下の欄にメッセージを入力して会話を始めましょう。</translation>
    </message>
    <message>
      <location filename="../../app/gui/composer.py" line="176" />
      <source>Message — Enter sends, Shift+Enter adds a line</source>
      <translation>メッセージ — Enterで送信、Shift+Enterで改行</translation>
    </message>
    <message>
      <location filename="../../app/gui/composer.py" line="177" />
      <source>Send</source>
      <translation>送信</translation>
    </message>
    <message>
      <location filename="../../app/gui/composer.py" line="178" />
      <source>Stop (Esc)</source>
      <translation>停止 (Esc)</translation>
    </message>
    <message>
      <location filename="../../app/gui/composer.py" line="179" />
      <source>Editing a message: sending replaces it and every message after it.</source>
      <translation>メッセージを編集中：送信すると、このメッセージとそれ以降のすべてのメッセージが置き換わります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/composer.py" line="180" />
      <source>Cancel edit</source>
      <translation>編集をやめる</translation>
    </message>
    <message>
      <location filename="../../app/gui/conversation_tools.py" line="65" />
      <source>Open a conversation to export it.</source>
      <translation>書き出す会話を開いてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/conversation_tools.py" line="69" />
      <source>Saved to %1</source>
      <translation>%1 に保存しました</translation>
    </message>
    <message>
      <location filename="../../app/gui/dialogs.py" line="63" />
      <source>Cancel</source>
      <translation>キャンセル</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="37" />
      <source>Something went wrong.</source>
      <translation>問題が発生しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="38" />
      <source>The work was cancelled; nothing was kept.</source>
      <translation>処理は中止されました。何も残していません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="40" />
      <source>The model file %1 does not exist.</source>
      <translation>モデルファイル「%1」が見つかりません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="41" />
      <source>Check where the file is, or choose it again in the model library.</source>
      <translation>ファイルの場所を確かめるか、モデルライブラリで選び直してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="42" />
      <source>%1 is a link to a file that no longer exists.</source>
      <translation>「%1」は、もう存在しないファイルへのリンクです。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="43" />
      <source>Open the file the link pointed to, or remove the link.</source>
      <translation>リンク先だったファイルを開くか、リンクを削除してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="44" />
      <source>%1 is a link that points to itself (a symlink loop).</source>
      <translation>「%1」は自分自身を指すリンク（シンボリックリンクのループ）です。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="45" />
      <source>Remove the link and open the model file itself.</source>
      <translation>リンクを削除し、モデルファイルそのものを開いてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="46" />
      <source>%1 cannot be read.</source>
      <translation>「%1」を読み込めません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="46" />
      <source>Check that the file is readable, or download it again.</source>
      <translation>ファイルを読み込めるか確かめるか、もう一度ダウンロードしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="47" />
      <source>%1 is not a regular file (it is a folder, a pipe or a device).</source>
      <translation>「%1」は通常のファイルではありません（フォルダー、パイプまたはデバイスです）。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="48" />
      <source>Open a .gguf model file.</source>
      <translation>.gguf のモデルファイルを開いてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="49" />
      <source>%1 is a folder, not a GGUF model file.</source>
      <translation>「%1」はフォルダーです。GGUF モデルファイルではありません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="50" />
      <source>Choose the .gguf file inside it, or convert the folder with Import folder… in the model library.</source>
      <translation>中の .gguf ファイルを選ぶか、モデルライブラリの「フォルダを取り込む…」でフォルダーを変換してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="52" />
      <source>%1 is not a GGUF model file.</source>
      <translation>「%1」は GGUF モデルファイルではありません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="53" />
      <source>Open a .gguf model file, or convert a Hugging Face model folder with Import folder… in the model library.</source>
      <translation>.gguf のモデルファイルを開くか、モデルライブラリの「フォルダを取り込む…」で Hugging Face のモデルフォルダーを変換してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="55" />
      <source>%1 is empty.</source>
      <translation>「%1」は空のファイルです。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="55" />
      <source>Download or convert the model again.</source>
      <translation>モデルをもう一度ダウンロードするか、変換し直してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="56" />
      <source>%1 is written in GGUF version %2, which this version of llama.cpp cannot read.</source>
      <translation>「%1」は GGUF バージョン %2 で書かれていて、このバージョンの llama.cpp では読めません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="57" />
      <source>Convert the model again, or download a current GGUF of it.</source>
      <translation>モデルを変換し直すか、最新の GGUF をダウンロードしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="58" />
      <source>The header of %1 is damaged or cut short.</source>
      <translation>「%1」のヘッダーが壊れているか、途中で切れています。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="60" />
      <source>%1 is cut short: its weights need %2, but the file holds only %3.</source>
      <translation>「%1」は途中で切れています。重みには %2 必要ですが、ファイルは %3 しかありません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="61" />
      <source>The download or conversion stopped before the end: download or convert the model again.</source>
      <translation>ダウンロードか変換が途中で終わっています。モデルをもう一度ダウンロードするか、変換し直してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="63" />
      <source>The weights in %1 are damaged: they are not laid out as llama.cpp reads them.</source>
      <translation>「%1」の重みが壊れています。llama.cpp が読める並び方になっていません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="65" />
      <source>%1 is damaged.</source>
      <translation>「%1」は壊れています。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="66" />
      <source>%1 has a setting that llama.cpp or Hanashi cannot use (%2).</source>
      <translation>「%1」には、llama.cpp または Hanashi が扱えない設定値があります（%2）。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="69" />
      <source>%1 could not be loaded.</source>
      <translation>「%1」を読み込めませんでした。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="70" />
      <source>%1 is a model of the architecture %2, which this version of Hanashi cannot run.</source>
      <translation>「%1」はアーキテクチャ %2 のモデルで、このバージョンの Hanashi では動かせません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="72" />
      <source>Use a model of a supported family (GPT-NeoX or GPT-2), or update Hanashi.</source>
      <translation>対応しているファミリー（GPT-NeoX または GPT-2）のモデルを使うか、Hanashi を更新してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="74" />
      <source>%1 does not say which model architecture it holds.</source>
      <translation>「%1」には、どのモデルアーキテクチャかが書かれていません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="75" />
      <source>Convert the model again.</source>
      <translation>モデルを変換し直してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="76" />
      <source>%1 needs about %2 GiB of memory, but only %3 GiB is free.</source>
      <translation>「%1」には約 %2 GiB のメモリーが必要ですが、空きは %3 GiB しかありません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="77" />
      <source>Close other programs, choose a smaller quantization (such as q4_k_m), lower the context size in Settings, or use a GPU.</source>
      <translation>ほかのプログラムを閉じるか、より小さい量子化（q4_k_m など）を選ぶか、設定でコンテキスト長を小さくするか、GPU を使ってください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="79" />
      <source>llama.cpp cannot use %1: it stopped while trying the file.</source>
      <translation>llama.cpp は「%1」を使えません。ファイルを試している途中で停止しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="81" />
      <source>llama.cpp could not load %1: the file may be cut short or damaged.</source>
      <translation>llama.cpp は「%1」を読み込めませんでした。ファイルが途中で切れているか、壊れている可能性があります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="83" />
      <source>Checking %1 took longer than %2 seconds, so it was stopped.</source>
      <translation>「%1」の確認に %2 秒以上かかったため、中止しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="84" />
      <source>If the file is on a slow or network disk, copy it to a local disk and try again.</source>
      <translation>ファイルが遅いディスクやネットワーク上のディスクにある場合は、ローカルディスクにコピーしてからもう一度お試しください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="86" />
      <source>The model stopped with an error.</source>
      <translation>モデルがエラーで停止しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="87" />
      <source>The model failed while writing its reply.</source>
      <translation>返答を書いている途中でモデルが失敗しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="88" />
      <source>Try again; if it keeps happening, load the model again.</source>
      <translation>もう一度お試しください。繰り返し起きる場合は、モデルを読み込み直してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="89" />
      <source>The model is still writing a reply.</source>
      <translation>モデルはまだ返答を書いています。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="89" />
      <source>Wait until it has finished, or press Stop.</source>
      <translation>終わるまで待つか、「停止」を押してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="91" />
      <source>The model could not be converted.</source>
      <translation>モデルを変換できませんでした。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="92" />
      <source>The model folder lacks %2.</source>
      <translation>モデルフォルダーに %2 がありません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="93" />
      <source>Download the complete model folder from the model's page on Hugging Face.</source>
      <translation>Hugging Face のモデルのページから、モデルフォルダーの中身をすべてダウンロードしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="95" />
      <source>%2 in the model folder cannot be read.</source>
      <translation>モデルフォルダーの %2 を読み込めません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="96" />
      <source>Check that the file exists and is readable.</source>
      <translation>ファイルがあり、読み込めることを確かめてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="97" />
      <source>%2 in the model folder is not a regular file.</source>
      <translation>モデルフォルダーの %2 は通常のファイルではありません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="98" />
      <source>Replace it with the real file from the model's page on Hugging Face.</source>
      <translation>Hugging Face のモデルのページにある本物のファイルに置き換えてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="99" />
      <source>The model folder %1 does not exist.</source>
      <translation>モデルフォルダー「%1」が見つかりません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="100" />
      <source>Choose the folder that holds config.json and the .safetensors files.</source>
      <translation>config.json と .safetensors ファイルが入ったフォルダーを選んでください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="101" />
      <source>The model folder %1 has no sentencepiece tokenizer model (spiece.model).</source>
      <translation>モデルフォルダー「%1」に sentencepiece のトークナイザーモデル（spiece.model）がありません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="102" />
      <source>Download the tokenizer files too: Hanashi checks the converted tokenizer against the original.</source>
      <translation>トークナイザーのファイルもダウンロードしてください。Hanashi は変換したトークナイザーを元のものと照らし合わせて確認します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="104" />
      <source>%2 of the %3 weight files the model folder lists are missing (for example %4).</source>
      <translation>モデルフォルダーに記載された重みファイル %3 個のうち %2 個がありません（例：%4）。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="106" />
      <source>Download every weight file (model-0000x-of-0000y.safetensors).</source>
      <translation>重みファイル（model-0000x-of-0000y.safetensors）をすべてダウンロードしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="108" />
      <source>The model folder %1 has its weights only in a pickled format Hanashi does not read.</source>
      <translation>モデルフォルダー「%1」の重みは、Hanashi が読まない pickle 形式でしかありません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="110" />
      <source>Download the model's .safetensors weights (or pytorch_model.bin).</source>
      <translation>モデルの .safetensors 形式の重み（または pytorch_model.bin）をダウンロードしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="111" />
      <source>The model folder %1 has no model weights (*.safetensors).</source>
      <translation>モデルフォルダー「%1」にモデルの重み（*.safetensors）がありません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="112" />
      <source>Download model.safetensors, or every weight file together with model.safetensors.index.json.</source>
      <translation>model.safetensors、または model.safetensors.index.json とすべての重みファイルをダウンロードしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="114" />
      <source>Hanashi cannot convert %1: its architecture %2 is not supported.</source>
      <translation>Hanashi は「%1」を変換できません。アーキテクチャ %2 には対応していません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="115" />
      <source>Hanashi converts the rinna GPT-NeoX and inu-ai GPT-2 models; for other models, open a GGUF made by their own tools.</source>
      <translation>Hanashi が変換できるのは rinna の GPT-NeoX と inu-ai の GPT-2 のモデルです。ほかのモデルは、それぞれのツールで作られた GGUF を開いてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="117" />
      <source>llama.cpp cannot tokenize the vocabulary of %1 with any tokenizer type.</source>
      <translation>llama.cpp は「%1」の語彙を、どのトークナイザー形式でもトークン化できません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="119" />
      <source>Use the tokenizer model (spiece.model) from the model's own page on Hugging Face.</source>
      <translation>Hugging Face のモデル自身のページにあるトークナイザーモデル（spiece.model）を使ってください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="121" />
      <source>The folder %1, where the model was to be written, does not exist.</source>
      <translation>モデルの書き込み先のフォルダー「%1」が見つかりません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="122" />
      <source>Create the folder, or choose another one.</source>
      <translation>フォルダーを作成するか、別のフォルダーを選んでください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="123" />
      <source>Hanashi cannot write to the folder %1.</source>
      <translation>Hanashi はフォルダー「%1」に書き込めません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="124" />
      <source>Choose a folder you can write to, or fix its permissions.</source>
      <translation>書き込めるフォルダーを選ぶか、フォルダーのアクセス権を直してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="125" />
      <source>There is not enough disk space: about %2 is needed, %3 is free.</source>
      <translation>ディスクの空き容量が足りません。約 %2 必要ですが、空きは %3 です。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="126" />
      <source>Free some disk space, then try again.</source>
      <translation>ディスクの空き容量を増やしてから、もう一度お試しください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="127" />
      <source>The disk became full while writing %1; nothing was kept.</source>
      <translation>「%1」を書き込んでいる途中でディスクがいっぱいになりました。何も残していません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="129" />
      <source>%1 cannot be written.</source>
      <translation>「%1」に書き込めません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="129" />
      <source>Choose a folder you can write to.</source>
      <translation>書き込めるフォルダーを選んでください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="130" />
      <source>Writing %1 failed.</source>
      <translation>「%1」の書き込みに失敗しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="130" />
      <source>Check the disk, then try again.</source>
      <translation>ディスクを確認してから、もう一度お試しください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="131" />
      <source>llama.cpp stopped unexpectedly while working on %1.</source>
      <translation>「%1」の処理中に llama.cpp が予期せず停止しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="132" />
      <source>The file's contents are not something llama.cpp can use: download or convert it again. If it keeps happening, report it with the details below.</source>
      <translation>ファイルの内容が llama.cpp で使えるものではありません。もう一度ダウンロードするか、変換し直してください。繰り返し起きる場合は、下の詳細を添えて報告してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="134" />
      <source>Working on %1 took too long and was stopped.</source>
      <translation>「%1」の処理に時間がかかりすぎたため、中止しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="135" />
      <source>The file may be on a stalled or slow disk: copy it to a local disk and try again.</source>
      <translation>ファイルが応答しないディスクや遅いディスクにある可能性があります。ローカルディスクにコピーしてから、もう一度お試しください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="136" />
      <source>An unexpected error stopped the work on %1.</source>
      <translation>予期しないエラーで「%1」の処理が止まりました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="137" />
      <source>Please report it with the details below.</source>
      <translation>下の詳細を添えて報告してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="139" />
      <source>There is no model %1 on the Hugging Face Hub, or it is private. Check the repo id.</source>
      <translation>Hugging Face Hub に %1 というモデルはありません(または非公開です)。リポジトリ ID を確認してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="140" />
      <source>%1 is gated: the Hub lets only signed-in users who accepted its terms download it. Accept the terms on the model's page, create an access token in your Hugging Face settings, set it as the HF_TOKEN environment variable and restart Hanashi.</source>
      <translation>%1 はアクセス制限付きです。利用条件に同意したサインイン済みのユーザーだけがダウンロードできます。モデルのページで条件に同意し、Hugging Face の設定でアクセストークンを作成して環境変数 HF_TOKEN に設定し、Hanashi を再起動してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="143" />
      <source>The requested revision of %1 does not exist on the Hub.</source>
      <translation>指定された %1 のリビジョンは Hub にありません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="144" />
      <source>Hanashi is set to work offline (HF_HUB_OFFLINE) and %1 is not in the download cache. Unset HF_HUB_OFFLINE and restart Hanashi to download it.</source>
      <translation>Hanashi はオフラインで動作する設定(HF_HUB_OFFLINE)になっていて、%1 はダウンロードキャッシュにありません。ダウンロードするには HF_HUB_OFFLINE を解除して Hanashi を再起動してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="146" />
      <source>The Hugging Face Hub could not be reached. Check the internet connection and press Download again: what was already downloaded is kept.</source>
      <translation>Hugging Face Hub に接続できませんでした。インターネット接続を確認して、もう一度ダウンロードしてください。ダウンロード済みの部分は残っています。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="148" />
      <source>There is not enough free disk space to download and convert %1. Free some space and press Download again.</source>
      <translation>%1 をダウンロードして変換するためのディスクの空き容量が足りません。空きを作ってから、もう一度ダウンロードしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="150" />
      <source>Hanashi cannot convert %1: its architecture is not one Hanashi supports.</source>
      <translation>Hanashi は %1 を変換できません。Hanashi が対応していないアーキテクチャです。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="151" />
      <source>A file %1 needs for the conversion is missing, could not be stored, or did not arrive intact. Press Download again: a damaged part is downloaded anew.</source>
      <translation>%1 の変換に必要なファイルが見つからないか、保存できないか、正しく届きませんでした。もう一度ダウンロードしてください。壊れた部分は新しくダウンロードし直します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="154" />
      <source>The conversation database %1 is damaged.</source>
      <translation>会話データベース「%1」が壊れています。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="155" />
      <source>Move the damaged file aside (Hanashi offers to) and start a new one; the old file is kept for recovery.</source>
      <translation>壊れたファイルを別名で保管して（Hanashi が提案します）、新しく始めてください。古いファイルは復旧用に残ります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="157" />
      <source>The conversation database is locked by another program.</source>
      <translation>会話データベースがほかのプログラムにロックされています。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="158" />
      <source>Close the other Hanashi window (or the program using the file) and try again.</source>
      <translation>ほかの Hanashi ウィンドウ（またはファイルを使っているプログラム）を閉じてから、もう一度お試しください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="159" />
      <source>The conversation database %1 was written by a newer version of Hanashi.</source>
      <translation>会話データベース「%1」は、より新しいバージョンの Hanashi で書かれています。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="160" />
      <source>Use the newer Hanashi, or update this one; the file was left untouched.</source>
      <translation>新しい Hanashi を使うか、この Hanashi を更新してください。ファイルには手を付けていません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="161" />
      <source>The disk is full, so the conversation could not be saved.</source>
      <translation>ディスクがいっぱいのため、会話を保存できませんでした。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="163" />
      <source>The conversation database %1 cannot be written.</source>
      <translation>会話データベース「%1」に書き込めません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="164" />
      <source>Check that the data folder and the database file are writable.</source>
      <translation>データフォルダーとデータベースファイルに書き込めることを確かめてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="165" />
      <source>The conversation no longer exists: it was deleted, perhaps in another Hanashi window.</source>
      <translation>この会話はもうありません。ほかの Hanashi ウィンドウで削除された可能性があります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="166" />
      <source>Nothing to fix here; copy any text you want to keep.</source>
      <translation>対処は不要です。残したい文章があればコピーしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="167" />
      <source>The conversation was changed elsewhere (in another Hanashi window or by the terminal chat) after this view of it was made, so nothing was changed.</source>
      <translation>この表示を作った後で、会話がほかの場所（別の Hanashi ウィンドウまたはターミナルのチャット）で変更されたため、何も変更していません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="169" />
      <source>Look at the conversation as it is now and try again.</source>
      <translation>今の会話の内容を確かめてから、もう一度お試しください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="170" />
      <source>The conversation database refused the change.</source>
      <translation>会話データベースが変更を受け付けませんでした。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="171" />
      <source>This is a bug in Hanashi; please report it with the details below.</source>
      <translation>Hanashi の不具合です。下の詳細を添えて報告してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="172" />
      <source>The conversation database %1 cannot be used.</source>
      <translation>会話データベース「%1」を使えません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="173" />
      <source>Check the free disk space and that the data folder is writable.</source>
      <translation>ディスクの空き容量と、データフォルダーに書き込めることを確かめてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="241" />
      <source>the model</source>
      <translation>モデル</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="299" />
      <source>How to fix: %1</source>
      <translation>対処法：%1</translation>
    </message>
    <message>
      <location filename="../../app/gui/error_text.py" line="301" />
      <source>Where: %1</source>
      <translation>場所：%1</translation>
    </message>
    <message>
      <location filename="../../app/gui/export_dialog.py" line="20" />
      <source>You</source>
      <translation>あなた</translation>
    </message>
    <message>
      <location filename="../../app/gui/export_dialog.py" line="20" />
      <source>Assistant</source>
      <translation>アシスタント</translation>
    </message>
    <message>
      <location filename="../../app/gui/export_dialog.py" line="20" />
      <source>Persona</source>
      <translation>ペルソナ</translation>
    </message>
    <message>
      <location filename="../../app/gui/export_dialog.py" line="21" />
      <source>Created</source>
      <translation>作成日時</translation>
    </message>
    <message>
      <location filename="../../app/gui/export_dialog.py" line="21" />
      <source>stopped before the end</source>
      <translation>途中で停止</translation>
    </message>
    <message>
      <location filename="../../app/gui/export_dialog.py" line="21" />
      <source>New conversation</source>
      <translation>新しい会話</translation>
    </message>
    <message>
      <location filename="../../app/gui/export_dialog.py" line="45" />
      <source>The conversation could not be exported</source>
      <translation>会話を書き出せませんでした</translation>
    </message>
    <message>
      <location filename="../../app/gui/export_dialog.py" line="48" />
      <source>Markdown (*.md)</source>
      <translation>Markdown (*.md)</translation>
    </message>
    <message>
      <location filename="../../app/gui/export_dialog.py" line="48" />
      <source>JSON (*.json)</source>
      <translation>JSON (*.json)</translation>
    </message>
    <message>
      <location filename="../../app/gui/export_dialog.py" line="49" />
      <source>Export conversation</source>
      <translation>会話を書き出す</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="163" />
      <source>Download: %1 (%2)</source>
      <translation>ダウンロード：%1(%2)</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="164" />
      <source>exact</source>
      <translation>正確な値</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="164" />
      <source>approximate: not stated on the card</source>
      <translation>概算：モデルカードに記載なし</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="174" />
      <source>Hanashi checks the model's files when the download starts; models whose architecture it cannot run are refused before any weights are downloaded.</source>
      <translation>ダウンロード開始時に Hanashi がモデルのファイルを確認します。動かせないアーキテクチャのモデルは、重みをダウンロードする前にお断りします。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="185" />
      <source>“%1” is not a repo id: write it as ORG/NAME (letters, digits, '-', '_' and '.'), for example rinna/japanese-gpt-neox-3.6b-instruction-ppo.</source>
      <translation>「%1」はリポジトリ ID ではありません。組織名/モデル名(英数字、「-」「_」「.」)の形で入力してください。例：rinna/japanese-gpt-neox-3.6b-instruction-ppo</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="220" />
      <source>The models folder cannot be used.</source>
      <translation>モデルフォルダーを使えません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="236" />
      <source>Looking up %1 on the Hugging Face Hub…</source>
      <translation>Hugging Face Hub で %1 を確認中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="238" />
      <source>Cancel stops at once. What was downloaded is kept: Download again continues where it stopped.</source>
      <translation>キャンセルするとすぐに止まります。ダウンロード済みの部分は残り、もう一度ダウンロードすると続きから再開します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="249" />
      <source>Cancelling…</source>
      <translation>キャンセル中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="271" />
      <source>%1 of %2</source>
      <translation>%1 / %2</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="274" />
      <source>%1/s</source>
      <translation>%1/秒</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="286" />
      <source>%1 is already in the models folder (same revision and type).</source>
      <translation>%1 はすでにモデルフォルダーにあります(同じリビジョン・同じ形式)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="287" />
      <source>%1 is ready: %2, %3 family.</source>
      <translation>%1 の準備ができました(%2、%3 ファミリー)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="290" />
      <source>Tokenizer parity: exact — llama.cpp tokenizes exactly like the original model.</source>
      <translation>トークナイザー一致：完全一致 — llama.cppは元のモデルとまったく同じようにトークン化します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="292" />
      <source>Tokenizer parity: not exact — Hanashi will tokenize with the model's own sentencepiece model, embedded in the file.</source>
      <translation>トークナイザー一致：不完全 — Hanashiはファイルに埋め込まれたモデル自身のsentencepieceでトークン化します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="299" />
      <source>The converter's report (in English):</source>
      <translation>変換ツールの報告（英語）：</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="311" />
      <source>The model could not be downloaded.</source>
      <translation>モデルを入手できませんでした。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="317" />
      <source>Cancelled. Nothing was added to the models folder; what was downloaded is kept, and Download continues from there.</source>
      <translation>キャンセルしました。モデルフォルダーには何も追加していません。ダウンロード済みの部分は残してあり、もう一度ダウンロードすると続きから再開します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="339" />
      <source>Not supported yet</source>
      <translation>未対応</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="339" />
      <source>Too large</source>
      <translation>大きすぎます</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="353" />
      <source>Get a model</source>
      <translation>モデルを入手</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="355" />
      <source>this system does not report its free memory</source>
      <translation>このシステムは空きメモリーを報告しません</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="357" />
      <source>%1 of RAM free</source>
      <translation>空き RAM %1</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="358" />
      <source>%1 free on the GPU</source>
      <translation>GPU の空き %1</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="359" />
      <source>no GPU that Hanashi can use</source>
      <translation>Hanashi が使える GPU なし</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="360" />
      <source>This computer: %1, %2. Models are downloaded from the Hugging Face Hub when you press Download.</source>
      <translation>このコンピューター：%1、%2。モデルは「ダウンロード」を押したときに Hugging Face Hub から取得します。</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="364" />
      <source>Repo id:</source>
      <translation>リポジトリ ID：</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="365" />
      <source>Quantization:</source>
      <translation>量子化：</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="368" />
      <source>Progress</source>
      <translation>進行状況</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="369" />
      <source>Load now</source>
      <translation>今すぐ読み込む</translation>
    </message>
    <message>
      <location filename="../../app/gui/get_model_dialog.py" line="370" />
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
      <translation>NVIDIA の GPU が使われていません。llama.cpp が GPU 対応なしでインストールされているため、モデルは CPU で動いています。CUDA 対応で入れ直すには(コンパイルに時間がかかります)、次を実行してください：</translation>
    </message>
    <message>
      <location filename="../../app/gui/gpu_notice.py" line="29" />
      <source>Your NVIDIA GPU is not used: llama.cpp was built without GPU support, so models run on the CPU. To build it with CUDA (a long compile), quit Hanashi and run:</source>
      <translation>NVIDIA の GPU が使われていません。llama.cpp が GPU 対応なしでビルドされているため、モデルは CPU で動いています。CUDA 対応でビルドするには(コンパイルに時間がかかります)、Hanashi を終了して次を実行してください：</translation>
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
      <translation>この llama.cpp は GPU に対応していないため、モデルは CPU で動きます。NVIDIA の GPU を使うには、次を実行してください：</translation>
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
      <location filename="../../app/gui/library_rows.py" line="40" />
      <source>Modified: %1</source>
      <translation>更新日時：%1</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="195" />
      <source>The model could not be loaded</source>
      <translation>モデルを読み込めませんでした</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="255" />
      <source>Delete conversation</source>
      <translation>会話を削除</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="255" />
      <source>Delete "%1" and all its messages?</source>
      <translation>「%1」とそのすべてのメッセージを削除しますか?</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="256" />
      <source>Delete</source>
      <translation>削除</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="272" />
      <source>&amp;New conversation</source>
      <translation>新しい会話(&amp;N)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="273" />
      <source>Model &amp;library…</source>
      <translation>モデルライブラリ(&amp;L)…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="274" />
      <source>&amp;Export conversation as Markdown…</source>
      <translation>会話を Markdown で書き出す(&amp;E)…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="275" />
      <source>Export conversation as &amp;JSON…</source>
      <translation>会話を JSON で書き出す(&amp;J)…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="276" />
      <source>&amp;Settings…</source>
      <translation>設定(&amp;S)…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="277" />
      <source>&amp;Persona and sampling…</source>
      <translation>ペルソナとサンプリング(&amp;P)…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="278" />
      <source>&amp;Regenerate reply</source>
      <translation>返答を再生成(&amp;R)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="279" />
      <source>Re&amp;name conversation</source>
      <translation>会話の名前を変更(&amp;M)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="280" />
      <source>&amp;Search conversations</source>
      <translation>会話を検索(&amp;S)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="281" />
      <source>&amp;Quit</source>
      <translation>終了(&amp;Q)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="282" />
      <source>&amp;File</source>
      <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="283" />
      <source>&amp;Conversation</source>
      <translation>会話(&amp;C)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="284" />
      <source>&amp;Settings</source>
      <translation>設定(&amp;S)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="285" />
      <source>&amp;Language</source>
      <translation>言語(&amp;L)</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="287" />
      <source>Follow the system</source>
      <translation>システムに合わせる</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="289" />
      <source>You are chatting with the tiny demo model: it only knows a few answers. Add a real model for real conversations.</source>
      <translation>小さなデモモデルと会話しています。答えられるのはいくつかの質問だけです。本格的な会話には実際のモデルを追加してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="291" />
      <source>Add a model…</source>
      <translation>モデルを追加…</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="301" />
      <source>A model is being imported</source>
      <translation>モデルを取り込み中です</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="302" />
      <source>Hanashi is still importing a model. Stop the import and quit? The unfinished file will be removed.</source>
      <translation>モデルの取り込みがまだ終わっていません。取り込みを中止して終了しますか？ 途中のファイルは削除されます。</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="305" />
      <source>Keep importing</source>
      <translation>取り込みを続ける</translation>
    </message>
    <message>
      <location filename="../../app/gui/main_window.py" line="306" />
      <source>Stop and quit</source>
      <translation>中止して終了</translation>
    </message>
    <message>
      <location filename="../../app/gui/markdown_view.py" line="148" />
      <source>Copied</source>
      <translation>コピーしました</translation>
    </message>
    <message>
      <location filename="../../app/gui/markdown_view.py" line="167" />
      <source>Copy code</source>
      <translation>コードをコピー</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="44" />
      <source>Copy</source>
      <translation>コピー</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="126" />
      <source>writing…</source>
      <translation>入力中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="128" />
      <source>(stopped)</source>
      <translation>(停止)</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="132" />
      <source>Edit</source>
      <translation>編集</translation>
    </message>
    <message>
      <location filename="../../app/gui/message_bubble.py" line="133" />
      <source>Regenerate</source>
      <translation>再生成</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="32" />
      <source>Name</source>
      <translation>名前</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="32" />
      <source>Family</source>
      <translation>ファミリー</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="32" />
      <source>Type</source>
      <translation>形式</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="32" />
      <source>Size</source>
      <translation>サイズ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="32" />
      <source>Tokenizer parity</source>
      <translation>トークナイザー一致</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="32" />
      <source>Where</source>
      <translation>場所</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="126" />
      <source>bundled demo</source>
      <translation>付属のデモ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="126" />
      <source>models folder</source>
      <translation>モデルフォルダ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="128" />
      <source>unreadable: %1</source>
      <translation>読み込めません：%1</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="168" />
      <source>Open a GGUF model</source>
      <translation>GGUFモデルを開く</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="169" />
      <source>GGUF models (*.gguf);;All files (*)</source>
      <translation>GGUFモデル (*.gguf);;すべてのファイル (*)</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="177" />
      <source>Delete %1 from the models folder? The file is removed from disk.</source>
      <translation>モデルフォルダから %1 を削除しますか?ファイルはディスクから削除されます。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="178" />
      <source>Remove %1 from the list? The file itself stays where it is.</source>
      <translation>%1 を一覧から外しますか?ファイル自体はそのまま残ります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="179" />
      <source>Delete model</source>
      <translation>モデルを削除</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="191" />
      <source>A model folder is being imported: wait until it has finished.</source>
      <translation>モデルフォルダーを取り込み中です。終わるまでお待ちください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="212" />
      <source>Choose a Hugging Face model folder</source>
      <translation>Hugging Faceのモデルフォルダを選択</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="223" />
      <source>The models folder %1 cannot be used: %2</source>
      <translation>モデルフォルダー「%1」を使えません：%2</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="235" />
      <source>Reading %1…</source>
      <translation>%1 を読み込み中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="269" />
      <source>Imported %1</source>
      <translation>%1 を取り込みました</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="274" />
      <source>%1 was converted to %2 (%3 family).</source>
      <translation>%1 を %2 に変換しました(ファミリー：%3)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="279" />
      <source>Import finished</source>
      <translation>取り込み完了</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="287" />
      <source>Import failed</source>
      <translation>取り込みに失敗しました</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="288" />
      <source>The folder could not be converted.</source>
      <translation>フォルダを変換できませんでした。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="293" />
      <source>Import cancelled; nothing was written.</source>
      <translation>取り込みをキャンセルしました。何も書き込まれていません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="305" />
      <source>Model library</source>
      <translation>モデルライブラリ</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="306" />
      <source>&lt;b&gt;Add a model.&lt;/b&gt; Hanashi runs GGUF files. The tiny demo model is always here, but it only knows a few answers. For real conversations, download a model folder from Hugging Face (for example &lt;i&gt;rinna/japanese-gpt-neox-3.6b-instruction-ppo&lt;/i&gt;: the safetensors weights, config.json, spiece.model and the tokenizer files), then choose &lt;i&gt;Import folder…&lt;/i&gt; below: Hanashi converts and quantizes it and checks its tokenizer. A GGUF made elsewhere can be opened directly with &lt;i&gt;Open GGUF…&lt;/i&gt;. Easiest of all: &lt;i&gt;Get a model…&lt;/i&gt; downloads a model from the Hugging Face Hub, converts it and checks it in one step.</source>
      <translation>&lt;b&gt;モデルを追加するには&lt;/b&gt; HanashiはGGUFファイルを実行します。小さなデモモデルはいつでも使えますが、答えられるのはいくつかの質問だけです。本格的な会話には、Hugging Faceからモデルのフォルダ(例：&lt;i&gt;rinna/japanese-gpt-neox-3.6b-instruction-ppo&lt;/i&gt; のsafetensorsの重み、config.json、spiece.model、トークナイザーのファイル)をダウンロードし、下の&lt;i&gt;フォルダを取り込む…&lt;/i&gt;を選んでください。Hanashiが変換・量子化し、トークナイザーを検証します。ほかで作られたGGUFは&lt;i&gt;GGUFを開く…&lt;/i&gt;で直接開けます。いちばん簡単なのは&lt;i&gt;モデルを入手…&lt;/i&gt;です。Hugging Face Hub からモデルをダウンロードし、変換と検証まで一度に行います。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="315" />
      <source>Get a model…</source>
      <translation>モデルを入手…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="316" />
      <source>Load</source>
      <translation>読み込む</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="317" />
      <source>Open GGUF…</source>
      <translation>GGUFを開く…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="323" />
      <source>Models folder: %1</source>
      <translation>モデルフォルダ：%1</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="324" />
      <source>Import a Hugging Face folder</source>
      <translation>Hugging Faceのフォルダを取り込む</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_library.py" line="326" />
      <source>Import folder…</source>
      <translation>フォルダを取り込む…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_switch.py" line="111" />
      <source>Switch</source>
      <translation>切り替える</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_switch.py" line="112" />
      <source>Keep current</source>
      <translation>今のモデルを使う</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_switch.py" line="113" />
      <source>Model library…</source>
      <translation>モデルライブラリ…</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_switch.py" line="117" />
      <source>This conversation was last used with %1. Switch to it?</source>
      <translation>この会話は前回 %1 で使われました。このモデルに切り替えますか?</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_switch.py" line="119" />
      <source> (%1 is no longer there)</source>
      <translation>(%1 が見つかりません)</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_switch.py" line="120" />
      <source>This conversation was last used with %1, but that model file is not on this computer any more%2. Keep chatting with the current model, or add it again in the model library.</source>
      <translation>この会話は前回 %1 で使われましたが、そのモデルファイルはもうこのコンピューターにありません%2。今のモデルで続けるか、モデルライブラリでもう一度追加してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_texts.py" line="13" />
      <source>rinna instruction</source>
      <translation>rinna 指示形式</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_texts.py" line="13" />
      <source>rinna bilingual</source>
      <translation>rinna バイリンガル</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_texts.py" line="14" />
      <source>dolly</source>
      <translation>dolly</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_texts.py" line="14" />
      <source>base (completion)</source>
      <translation>ベース（文章の続き）</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_texts.py" line="23" />
      <source>other (no Hanashi metadata)</source>
      <translation>その他（Hanashi の情報なし）</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_texts.py" line="32" />
      <source>exact (%1/%2)</source>
      <translation>完全一致（%1/%2）</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_texts.py" line="34" />
      <source>not measured</source>
      <translation>未測定</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_texts.py" line="35" />
      <source>%1% (%2/%3)</source>
      <translation>%1%（%2/%3）</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_texts.py" line="38" />
      <source>%1, %2 tokenizer</source>
      <translation>%1、%2 トークナイザー</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_texts.py" line="45" />
      <source>Tokenizer parity was not measured.</source>
      <translation>トークナイザーの一致は測定していません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/model_texts.py" line="46" />
      <source>%1 of %2 test texts were tokenized identically (%3%).</source>
      <translation>テスト文 %2 件のうち %1 件が同じようにトークン化されました（%3%）。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="103" />
      <source>Conversation settings</source>
      <translation>会話の設定</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="104" />
      <source>Persona: text placed before the conversation. Lines starting with "User:" / "ユーザー:" or "Assistant:" / "システム:" become turns (rinna's first turns, dolly's role lines); other text is one instruction.</source>
      <translation>ペルソナ：会話の前に置かれる文章です。「User:」/「ユーザー:」または「Assistant:」/「システム:」で始まる行は発話になります(rinnaの最初の発話、dollyの役割指示)。それ以外の文章はひとつの指示になります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="108" />
      <source>User: あなたは親切なアシスタントです。
Assistant: はい、わかりました。</source>
      <translation>ユーザー: あなたは親切なアシスタントです。
システム: はい、わかりました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="109" />
      <source>Temperature (0 = greedy):</source>
      <translation>温度(0 = 貪欲法)：</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="109" />
      <source>Top-p:</source>
      <translation>Top-p：</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="109" />
      <source>Top-k:</source>
      <translation>Top-k：</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="110" />
      <source>Repetition penalty:</source>
      <translation>繰り返しペナルティ：</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="110" />
      <source>Longest reply (tokens):</source>
      <translation>返答の最大長(トークン)：</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="111" />
      <source>Seed:</source>
      <translation>シード：</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="114" />
      <source>random</source>
      <translation>ランダム</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_dialog.py" line="115" />
      <source>Use the model card's values</source>
      <translation>モデルカードの値に戻す</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="20" />
      <source>Type a name for the preset first.</source>
      <translation>先にプリセットの名前を入力してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="21" />
      <source>A preset's name can be at most %1 characters long.</source>
      <translation>プリセットの名前は %1 文字までです。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="22" />
      <source>A preset's text can be at most %1 characters long.</source>
      <translation>プリセットの本文は %1 文字までです。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="23" />
      <source>"%1" is the name of a built-in preset: choose another name.</source>
      <translation>「%1」は組み込みプリセットの名前です。別の名前にしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="24" />
      <source>Another preset is already called "%1".</source>
      <translation>「%1」という名前のプリセットはすでにあります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="25" />
      <source>Built-in presets are part of Hanashi and cannot be changed or deleted: save your version under a new name.</source>
      <translation>組み込みプリセットは Hanashi の一部なので、変更や削除はできません。編集したものは新しい名前で保存してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="75" />
      <source>(none)</source>
      <translation>(なし)</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="77" />
      <source>(built in)</source>
      <translation>(組み込み)</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="120" />
      <source>Saved the preset "%1".</source>
      <translation>プリセット「%1」を保存しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="128" />
      <source>Delete preset</source>
      <translation>プリセットを削除</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="128" />
      <source>Delete the preset "%1"? Conversations that use its text keep it.</source>
      <translation>プリセット「%1」を削除しますか?この本文を使っている会話はそのまま残ります。</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="147" />
      <source>Preset:</source>
      <translation>プリセット：</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="148" />
      <source>Preset name</source>
      <translation>プリセット名</translation>
    </message>
    <message>
      <location filename="../../app/gui/persona_presets.py" line="149" />
      <source>Save as preset</source>
      <translation>プリセットとして保存</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="138" />
      <source>%1 could not be downloaded and converted.</source>
      <translation>%1 をダウンロード・変換できませんでした。</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="145" />
      <source>%1 s</source>
      <translation>%1 秒</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="147" />
      <source>%1 min</source>
      <translation>%1 分</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="148" />
      <source>%1 h %2 min</source>
      <translation>%1 時間 %2 分</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="155" />
      <source>(step %1 of %2)</source>
      <translation>（%2 段階中 %1）</translation>
    </message>
    <message>
      <location filename="../../app/gui/pull_worker.py" line="158" />
      <source>about %1 left</source>
      <translation>残り約 %1</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_flow.py" line="107" />
      <source>Empty reply: {0}</source>
      <translation>空の返答：{0}</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_flow.py" line="131" />
      <source>The reply could not be written</source>
      <translation>返答を生成できませんでした</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_notes.py" line="15" />
      <source>finished</source>
      <translation>完了</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_notes.py" line="15" />
      <source>finished (stop word)</source>
      <translation>完了（停止文字列）</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_notes.py" line="15" />
      <source>token limit reached</source>
      <translation>最大長に到達</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_notes.py" line="16" />
      <source>context full</source>
      <translation>コンテキストが満杯</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_notes.py" line="16" />
      <source>stopped</source>
      <translation>中止</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_notes.py" line="36" />
      <source>%1 tokens</source>
      <translation>%1 トークン</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_notes.py" line="39" />
      <source>%1 tokens/s</source>
      <translation>%1 トークン/秒</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_notes.py" line="42" />
      <source>first token %1 s</source>
      <translation>最初のトークンまで %1 秒</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_notes.py" line="56" />
      <source>The %1 oldest messages were left out: the conversation is longer than the model's context (%2 tokens), so the model did not see them when writing this reply.</source>
      <translation>古いメッセージ %1 件は省かれました。会話がモデルのコンテキスト（%2 トークン）より長いため、この返答を書くときモデルはそれらを見ていません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_notes.py" line="62" />
      <source>The reply was cut short at the limit of %1 tokens (“Longest reply” in Persona and sampling).</source>
      <translation>返答は上限の %1 トークンで打ち切られました（「ペルソナとサンプリング」の「返答の最大長」）。</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_notes.py" line="65" />
      <source>The reply was cut short: the model's context (%1 tokens) is full. Start a new conversation, or load the model with a larger context in Settings.</source>
      <translation>返答は途中で打ち切られました。モデルのコンテキスト（%1 トークン）がいっぱいです。新しい会話を始めるか、設定でコンテキストを大きくしてモデルを読み込み直してください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="47" />
      <source>the disk is full</source>
      <translation>ディスクがいっぱいです</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="48" />
      <source>the conversation database is locked by another program</source>
      <translation>会話データベースが別のプログラムにロックされています</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="49" />
      <source>the conversation database cannot be written</source>
      <translation>会話データベースに書き込めません</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="50" />
      <source>the conversation was deleted in another window</source>
      <translation>会話が別のウィンドウで削除されました</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="51" />
      <source>the conversation was changed in another window while the reply was written</source>
      <translation>返答を書いている間に、会話が別のウィンドウで変更されました</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="76" />
      <source>This reply could not be saved: {0}. It is kept here and saved as soon as it can be (Hanashi tries again every few seconds); you can also copy it.</source>
      <translation>この返答を保存できませんでした：{0}。返答はここに残してあり、保存できるようになりしだい保存します(Hanashi は数秒ごとに再試行します)。コピーもできます。</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="79" />
      <source>This reply was not saved: {0}. Copy it to keep it.</source>
      <translation>この返答は保存されていません：{0}。残したい場合はコピーしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="81" />
      <source>Retry save</source>
      <translation>保存を再試行</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="83" />
      <source>Discard</source>
      <translation>破棄</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="134" />
      <source>The last reply is not saved yet</source>
      <translation>最後の返答がまだ保存されていません</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="135" />
      <source>Save the reply (Retry save), or copy and discard it, before sending the next message. What you typed is kept.</source>
      <translation>次のメッセージを送る前に、返答を保存する(保存を再試行)か、コピーして破棄してください。入力した文章は残っています。</translation>
    </message>
    <message>
      <location filename="../../app/gui/reply_saving.py" line="180" />
      <source>not saved</source>
      <translation>未保存</translation>
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
      <translation>GPUレイヤー：</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="107" />
      <source>Context size:</source>
      <translation>コンテキスト長：</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="107" />
      <source>CPU threads:</source>
      <translation>CPUスレッド：</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="107" />
      <source>Language:</source>
      <translation>言語：</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="107" />
      <source>Theme:</source>
      <translation>テーマ：</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="126" />
      <source>The model's (up to 4096)</source>
      <translation>モデルの値(最大4096)</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="128" />
      <source>Automatic (%1: %2 physical cores)</source>
      <translation>自動（%1：物理コア %2 個）</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="130" />
      <source>Automatic: one thread per physical core (hyperthreads do not count). Cores that other programs keep busy are left to them: the load is looked at when the model is loaded and again before every reply.</source>
      <translation>自動：物理コア 1 個につき 1 スレッド（ハイパースレッドは数えません）。ほかのプログラムが使っているコアはそのプログラムに残します。負荷はモデルを読み込むときと、返答のたびに確かめます。</translation>
    </message>
    <message>
      <location filename="../../app/gui/settings_dialog.py" line="133" />
      <source>GPU layers, context size and threads apply when the model is loaded again (Hanashi reloads it when you press OK).</source>
      <translation>GPUレイヤー、コンテキスト長、スレッド数はモデルを読み込み直したときに反映されます(OKを押すとHanashiが読み込み直します)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="137" />
      <source>(%1 messages)</source>
      <translation>(%1 件のメッセージ)</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="144" />
      <source>Fast search is not available with this SQLite, so every message is read (slower on long histories).</source>
      <translation>この SQLite では高速検索が使えないため、すべてのメッセージを順に調べています(履歴が長いと時間がかかります)。</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="147" />
      <source>Search for at most %1 words at a time.</source>
      <translation>一度に検索できる語は %1 個までです。</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="149" />
      <source>Search for words of at most %1 characters.</source>
      <translation>検索する語は %1 文字以内にしてください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="151" />
      <source>Only the %1 most recent of %2 matching conversations are listed.</source>
      <translation>一致した %2 件の会話のうち、新しい %1 件だけを表示しています。</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="240" />
      <source>Search conversations</source>
      <translation>会話を検索</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="241" />
      <source>Rename</source>
      <translation>名前を変更</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="243" />
      <source>Export as Markdown…</source>
      <translation>Markdown で書き出す…</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="244" />
      <source>Export as JSON…</source>
      <translation>JSON で書き出す…</translation>
    </message>
    <message>
      <location filename="../../app/gui/sidebar.py" line="245" />
      <source>No matches</source>
      <translation>一致するものはありません</translation>
    </message>
    <message>
      <location filename="../../app/gui/stale_view.py" line="33" />
      <source>The conversation was changed in another window</source>
      <translation>会話が別のウィンドウで変更されました</translation>
    </message>
    <message>
      <location filename="../../app/gui/stale_view.py" line="34" />
      <source>This conversation was changed in another Hanashi window (or by hanashi chat) after this window showed it, so nothing was deleted or changed. It has been reloaded: look at it as it is now and try again.</source>
      <translation>このウィンドウに表示した後で、この会話が別の Hanashi ウィンドウ(または hanashi chat)で変更されたため、何も削除・変更していません。会話を読み込み直したので、今の内容を確認してからもう一度お試しください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/stale_view.py" line="38" />
      <source>The conversation was deleted</source>
      <translation>会話が削除されました</translation>
    </message>
    <message>
      <location filename="../../app/gui/stale_view.py" line="39" />
      <source>This conversation was deleted in another Hanashi window, so nothing was changed.</source>
      <translation>この会話は別の Hanashi ウィンドウで削除されたため、何も変更していません。</translation>
    </message>
    <message>
      <location filename="../../app/gui/stale_view.py" line="102" />
      <source>The reply was saved.</source>
      <translation>返答を保存しました。</translation>
    </message>
    <message>
      <location filename="../../app/gui/status_bar.py" line="45" />
      <source>CPU (1 thread)</source>
      <translation>CPU（1 スレッド）</translation>
    </message>
    <message>
      <location filename="../../app/gui/status_bar.py" line="45" />
      <source>CPU (%1 threads)</source>
      <translation>CPU（%1 スレッド）</translation>
    </message>
    <message>
      <location filename="../../app/gui/status_bar.py" line="50" />
      <source>%1: %2 (%3/%4 layers on the GPU)</source>
      <translation>%1：%2（%4 層のうち %3 層を GPU で実行）</translation>
    </message>
    <message>
      <location filename="../../app/gui/status_bar.py" line="126" />
      <source>Loading %1…</source>
      <translation>%1 を読み込み中…</translation>
    </message>
    <message>
      <location filename="../../app/gui/status_bar.py" line="130" />
      <source>No model loaded</source>
      <translation>モデル未読み込み</translation>
    </message>
    <message>
      <location filename="../../app/gui/status_bar.py" line="135" />
      <source>context %1 / %2</source>
      <translation>コンテキスト %1 / %2</translation>
    </message>
    <message>
      <location filename="../../app/gui/window_panels.py" line="45" />
      <source>The model is in use</source>
      <translation>モデルは使用中です</translation>
    </message>
    <message>
      <location filename="../../app/gui/window_panels.py" line="45" />
      <source>Load another model before deleting this one.</source>
      <translation>削除する前に別のモデルを読み込んでください。</translation>
    </message>
    <message>
      <location filename="../../app/gui/window_panels.py" line="52" />
      <source>The model could not be deleted</source>
      <translation>モデルを削除できませんでした</translation>
    </message>
    <message>
      <location filename="../../app/gui/window_panels.py" line="109" />
      <source>The settings could not be saved</source>
      <translation>設定を保存できませんでした</translation>
    </message>
  </context>
</TS>
