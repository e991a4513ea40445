//! Text as GDAL hands it over, made UTF-8. GDAL recodes Shapefiles itself (their ENCODING open option),
//! but its CSV driver passes the file's bytes through: a CSV saved by Excel on a Chinese desktop is GBK,
//! and its field names and cells must be recoded here, or matched and stored as mojibake.

use std::ffi::{c_char, CStr, CString};

/// The encoding a file's text is in, when it is not UTF-8.
#[derive(Debug, Clone, Default)]
pub(crate) struct Recode(Option<CString>);

impl Recode {
    /// `None` keeps the bytes as UTF-8. `Err` says why the name cannot be an encoding.
    pub fn new(encoding: Option<&str>) -> Result<Recode, &'static str> {
        match encoding.map(str::trim) {
            None => Ok(Recode(None)),
            Some(e) if e.is_empty() || e.contains(['=', '\0']) => Err("not an encoding name"),
            Some(e) => Ok(Recode(Some(CString::new(e).map_err(|_| "not an encoding name")?))),
        }
    }

    pub fn encoding(&self) -> Option<String> {
        self.0.as_ref().map(|e| e.to_string_lossy().into_owned())
    }

    /// # Safety
    /// `p` is null or a NUL-terminated string that stays alive during the call.
    unsafe fn text(&self, p: *const c_char) -> Utf8 {
        if p.is_null() {
            return Utf8 { text: String::new(), lossy: false };
        }
        // SAFETY: per the contract above; CPLRecode's result is ours to free.
        unsafe {
            if let Some(enc) = &self.0 {
                let r = gdal_sys::CPLRecode(p, enc.as_ptr(), c"UTF-8".as_ptr());
                if !r.is_null() {
                    let text = CStr::from_ptr(r).to_string_lossy().into_owned();
                    gdal_sys::VSIFree(r.cast());
                    return Utf8 { text, lossy: false };
                }
            }
            let raw = CStr::from_ptr(p);
            match raw.to_str() {
                Ok(s) => Utf8 { text: s.to_string(), lossy: false },
                Err(_) => Utf8 { text: raw.to_string_lossy().into_owned(), lossy: true },
            }
        }
    }

    /// Field `i` of a feature as text.
    pub fn field(&self, f: gdal_sys::OGRFeatureH, i: i32) -> Utf8 {
        // SAFETY: `f` is a live feature and `i` one of its fields; the string lives until the next call.
        unsafe { self.text(gdal_sys::OGR_F_GetFieldAsString(f, i)) }
    }

    /// The name of field `i` of a layer definition.
    pub fn field_name(&self, defn: gdal_sys::OGRFeatureDefnH, i: i32) -> Utf8 {
        // SAFETY: `defn` belongs to an open layer and `i` is below its field count.
        unsafe { self.text(gdal_sys::OGR_Fld_GetNameRef(gdal_sys::OGR_FD_GetFieldDefn(defn, i))) }
    }
}

/// Text made UTF-8; `lossy` when the bytes were not UTF-8 and no encoding was given, so that bad bytes
/// became U+FFFD: the caller says so and names `--encoding`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Utf8 {
    pub text: String,
    pub lossy: bool,
}

/// What to tell a user whose file is not UTF-8.
pub(crate) const NOT_UTF8: &str = "the text is not UTF-8: files from Chinese desktop software (a CSV saved by Excel, a Shapefile without .cpg) are usually GBK; give --encoding GBK";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_bytes_become_utf8_only_when_the_encoding_is_given() {
        // 镉 in GBK
        let gbk = CString::new(vec![0xEF_u8, 0xD3]).unwrap();
        let none = Recode::new(None).unwrap();
        let plain = unsafe { none.text(gbk.as_ptr()) };
        assert!(plain.lossy, "{plain:?}");
        let recode = Recode::new(Some("GBK")).unwrap();
        assert_eq!(unsafe { recode.text(gbk.as_ptr()) }, Utf8 { text: "镉".into(), lossy: false });
        let utf8 = CString::new("镉").unwrap();
        assert_eq!(unsafe { none.text(utf8.as_ptr()) }, Utf8 { text: "镉".into(), lossy: false });
        assert!(Recode::new(Some("")).is_err());
        assert!(Recode::new(Some("A=B")).is_err());
    }
}
