//! Characters that look alike and mean the same, made one, for every reader and the
//! normalizer alike.

/// The unified ideographs of the Kangxi radicals U+2F00–U+2FD5, in code point order (their
/// NFKC forms). Word and some PDF producers write `⼯` (U+2F2F) for `工`; a reader sees the
/// same character, so the text must say the same thing.
const KANGXI: &str = "一丨丶丿乙亅二亠人儿入八冂冖冫几凵刀力勹匕匚匸十卜卩厂厶又口囗土士夂夊夕大女子宀寸小尢尸屮山巛工己巾干幺广廴廾弋弓彐彡彳心戈戶手支攴文斗斤方无日曰月木欠止歹殳毋比毛氏气水火爪父爻爿片牙牛犬玄玉瓜瓦甘生用田疋疒癶白皮皿目矛矢石示禸禾穴立竹米糸缶网羊羽老而耒耳聿肉臣自至臼舌舛舟艮色艸虍虫血行衣襾見角言谷豆豕豸貝赤走足身車辛辰辵邑酉釆里金長門阜隶隹雨靑非面革韋韭音頁風飛食首香馬骨高髟鬥鬯鬲鬼魚鳥鹵鹿麥麻黃黍黑黹黽鼎鼓鼠鼻齊齒龍龜龠";

/// A Kangxi radical (U+2F00–U+2FD5) as the unified ideograph it stands for; any other
/// character unchanged.
pub fn fold_radical(c: char) -> char {
    let u = c as u32;
    if (0x2F00..=0x2FD5).contains(&u) {
        KANGXI.chars().nth((u - 0x2F00) as usize).unwrap_or(c)
    } else {
        c
    }
}

/// The text with every Kangxi radical made the unified ideograph ([`fold_radical`]);
/// `None` when there is none (most texts), so the caller keeps its string.
pub fn fold_radicals(s: &str) -> Option<String> {
    s.chars()
        .any(|c| ('\u{2F00}'..='\u{2FD5}').contains(&c))
        .then(|| s.chars().map(fold_radical).collect())
}

/// Characters that take no room on a page: zero-width spaces, non-joiners and joiners, the
/// word joiner, a byte-order mark inside the text, the soft hyphen. A web page or a Word
/// file may hold them inside a figure (`3\u{200B}56.8`) or a label; a reader sees none.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// The text as a reader sees it: Kangxi radicals made unified ideographs
/// ([`fold_radical`]) and invisible characters ([`is_invisible`]) taken out; `None` when
/// there is nothing to change (most texts), so the caller keeps its string.
pub fn unify(s: &str) -> Option<String> {
    s.chars()
        .any(|c| ('\u{2F00}'..='\u{2FD5}').contains(&c) || is_invisible(c))
        .then(|| {
            s.chars()
                .filter(|&c| !is_invisible(c))
                .map(fold_radical)
                .collect()
        })
}
