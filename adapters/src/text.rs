//! Vietnamese text as machines need it: without diacritics, for searches that ignore them and for
//! names where only ASCII may go (a header's fallback file name).

const ACCENTED: &str = "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ";
const PLAIN: &str = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd";

/// The letter without its diacritics, keeping its case ("Đ" → "D").
fn plain(letter: char) -> char {
    let lower = letter.to_lowercase().next().unwrap_or(letter);
    let Some(base) = ACCENTED
        .chars()
        .position(|accented| accented == lower)
        .and_then(|index| PLAIN.chars().nth(index))
    else {
        return letter;
    };
    if letter == lower {
        base
    } else {
        base.to_ascii_uppercase()
    }
}

/// Lower-cased and without diacritics, so "khai sinh" finds "Đăng ký khai sinh".
pub fn folded(text: &str) -> String {
    text.to_lowercase().chars().map(plain).collect()
}

/// Without diacritics, case kept: "Giấy chứng sinh" → "Giay chung sinh".
pub fn folded_ascii(text: &str) -> String {
    text.chars().map(plain).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diacritics_go_and_case_stays_where_asked() {
        assert_eq!(folded("Đăng ký KHAI SINH"), "dang ky khai sinh");
        assert_eq!(folded_ascii("Giấy chứng sinh Đỏ"), "Giay chung sinh Do");
        assert_eq!(folded_ascii("ẤN"), "AN");
        assert_eq!(folded_ascii("plain 12"), "plain 12");
    }
}
