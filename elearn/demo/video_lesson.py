"""The words of the demo's video lesson (security-basics, lesson 06), drawn by `elearn.demo.video`.

The points restate lesson 02 of the same course, whose source is IPA's「情報セキュリティ10大脅威」.
"""

from elearn.demo.video import Slide

SECONDS_PER_SLIDE = 9.0

SLIDES = (
    Slide("あやしいメールを見分ける4つのポイント",
          ("1分でふりかえる「標的型メール」への備え", "情報セキュリティとゼロトラストの基本 第6回"),
          ("標的型メールは、いつもの仕事にまぎれて届きます。", "見分けるポイントを4つ、1分でふりかえります。"),
          ("Targeted emails arrive disguised as everyday work.", "Here are four signs to look for, in one minute.")),
    Slide("1. 差出人のアドレスを見る",
          ("表示名は本物そっくりでも", "アドレスのドメインが少しだけ違うことがある",
           "例: city.example.lg.jp と city-example.jp"),
          ("表示名が本物でも、アドレスのドメインが少し違うことがあります。",
           "名前だけでなく、アドレスまで確かめましょう。"),
          ("The display name may be genuine while the domain is slightly different.",
           "Check the address, not just the name.")),
    Slide("2. 急がせる言葉に注意",
          ("「至急」「本日中」「アカウント停止」", "あわてさせて、考える時間を奪うのが手口"),
          ("「至急」「本日中」「アカウント停止」など、急がせる言葉は要注意です。",
           "あわてさせて考える時間を奪うのが、攻撃者の手口です。"),
          ("Words that rush you, such as \"urgent\" or \"account suspended\", are a warning sign.",
           "Making you hurry is how the attacker stops you thinking.")),
    Slide("3. 添付ファイルとリンク",
          ("業務と関係のない圧縮ファイルや実行形式のファイル", "マクロやコンテンツの有効化は押さない",
           "リンクからIDやパスワードを入力しない"),
          ("業務と関係のない圧縮ファイルや実行形式のファイルは開かないでください。",
           "リンクからIDやパスワードを入力せず、いつものブックマークから開きます。"),
          ("Do not open archives or programs that have nothing to do with your work.",
           "Never type your ID or password after following a link; use your usual bookmark.")),
    Slide("4. いつもと違う文面",
          ("いつもの相手なのに、言葉づかいや署名が不自然", "迷ったら、既知の電話番号など別の手段で確認"),
          ("いつもの相手なのに、言葉づかいや署名が不自然なら疑いましょう。",
           "迷ったら、知っている電話番号など別の手段で相手に確認します。"),
          ("If a familiar sender's wording or signature feels wrong, be suspicious.",
           "When in doubt, confirm by another channel, such as a phone number you already know.")),
    Slide("開いてしまったら、すぐ報告",
          ("報告先: 所属長と情報政策担当課", "数分の差で被害の広がりを止められる",
           "出典: IPA「情報セキュリティ10大脅威」"),
          ("開いてしまった、入力してしまったときは、すぐに所属長と情報政策担当課へ報告してください。",
           "数分の差で、被害の広がりを止められることがあります。"),
          ("If you opened or typed something, report it at once to your head of division and the IT policy team.",
           "A few minutes can stop the damage from spreading.")),
)
