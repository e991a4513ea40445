//! PostgreSQL binary COPY rows and EWKB geometry, written by hand: the staging tables take nothing but
//! text, booleans, small integers, dates, doubles and one MultiPolygon, so a few dozen lines replace a
//! dependency and avoid any text round trip of coordinates.

use chrono::NaiveDate;
use geo::{LineString, MultiPolygon};

/// `PGCOPY\n\377\r\n\0`, no flags, no header extension.
pub const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// A field count of -1 ends the data.
pub const TRAILER: &[u8] = &[0xff, 0xff];

const EWKB_SRID_FLAG: u32 = 0x2000_0000;
const WKB_POLYGON: u32 = 3;
const WKB_MULTIPOLYGON: u32 = 6;

/// A buffer of binary COPY tuples.
#[derive(Debug, Default)]
pub struct CopyRows {
    pub buf: Vec<u8>,
}

fn pg_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

impl CopyRows {
    pub fn with_capacity(n: usize) -> Self {
        CopyRows { buf: Vec::with_capacity(n) }
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn row(&mut self, fields: i16) {
        self.buf.extend_from_slice(&fields.to_be_bytes());
    }

    fn len_prefix(&mut self, n: usize) {
        self.buf.extend_from_slice(&(n as i32).to_be_bytes());
    }

    pub fn null(&mut self) {
        self.buf.extend_from_slice(&(-1i32).to_be_bytes());
    }

    pub fn text(&mut self, s: &str) {
        self.len_prefix(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub fn opt_text(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    pub fn bool(&mut self, b: bool) {
        self.len_prefix(1);
        self.buf.push(u8::from(b));
    }

    pub fn opt_bool(&mut self, b: Option<bool>) {
        match b {
            Some(b) => self.bool(b),
            None => self.null(),
        }
    }

    pub fn int4(&mut self, v: i32) {
        self.len_prefix(4);
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn int8(&mut self, v: i64) {
        self.len_prefix(8);
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn float8(&mut self, v: f64) {
        self.len_prefix(8);
        self.buf.extend_from_slice(&v.to_be_bytes());
    }

    pub fn date(&mut self, d: NaiveDate) {
        self.int4((d - pg_epoch()).num_days() as i32);
    }

    /// A geometry column in binary form is EWKB; the SRID travels with it.
    /// A point as EWKB with its SRID.
    pub fn ewkb_point(&mut self, p: &geo::Point<f64>, srid: u32) {
        self.len_prefix(1 + 4 + 4 + 16);
        self.buf.push(1); // little-endian
        self.buf.extend_from_slice(&(1u32 | 0x2000_0000).to_le_bytes()); // Point with SRID
        self.buf.extend_from_slice(&srid.to_le_bytes());
        self.buf.extend_from_slice(&p.x().to_le_bytes());
        self.buf.extend_from_slice(&p.y().to_le_bytes());
    }

    pub fn ewkb_multipolygon(&mut self, mp: &MultiPolygon<f64>, srid: u32) {
        let start = self.buf.len();
        self.len_prefix(0);
        write_ewkb(&mut self.buf, mp, srid);
        let n = (self.buf.len() - start - 4) as i32;
        self.buf[start..start + 4].copy_from_slice(&n.to_be_bytes());
    }
}

fn ring(out: &mut Vec<u8>, r: &LineString<f64>) {
    out.extend_from_slice(&(r.0.len() as u32).to_le_bytes());
    for c in &r.0 {
        out.extend_from_slice(&c.x.to_le_bytes());
        out.extend_from_slice(&c.y.to_le_bytes());
    }
}

/// Little-endian EWKB of a 2-D MultiPolygon with its SRID.
pub fn write_ewkb(out: &mut Vec<u8>, mp: &MultiPolygon<f64>, srid: u32) {
    out.push(1);
    out.extend_from_slice(&(WKB_MULTIPOLYGON | EWKB_SRID_FLAG).to_le_bytes());
    out.extend_from_slice(&srid.to_le_bytes());
    out.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
    for p in &mp.0 {
        out.push(1);
        out.extend_from_slice(&WKB_POLYGON.to_le_bytes());
        out.extend_from_slice(&(1 + p.interiors().len() as u32).to_le_bytes());
        ring(out, p.exterior());
        for h in p.interiors() {
            ring(out, h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn header_is_the_documented_signature() {
        assert_eq!(HEADER.len(), 11 + 4 + 4);
        assert_eq!(&HEADER[..11], b"PGCOPY\n\xff\r\n\0");
    }

    #[test]
    fn fields_are_length_prefixed_big_endian() {
        let mut r = CopyRows::default();
        r.row(4);
        r.text("是");
        r.null();
        r.bool(true);
        r.date(NaiveDate::from_ymd_opt(2000, 1, 2).unwrap());
        assert_eq!(
            r.buf,
            vec![0, 4, 0, 0, 0, 3, 0xe6, 0x98, 0xaf, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 1, 0, 0, 0, 4, 0, 0, 0, 1]
        );
    }

    #[test]
    fn ewkb_layout() {
        let mp = MultiPolygon(vec![polygon![(x: 1.0, y: 2.0), (x: 3.0, y: 2.0), (x: 3.0, y: 4.0), (x: 1.0, y: 2.0)]]);
        let mut out = Vec::new();
        write_ewkb(&mut out, &mp, 4490);
        // byte order, type with SRID flag, SRID, 1 polygon, (byte order, type, 1 ring, 4 points × 16 bytes)
        assert_eq!(out.len(), 1 + 4 + 4 + 4 + 1 + 4 + 4 + 4 + 4 * 16);
        assert_eq!(&out[1..5], &(6u32 | 0x2000_0000).to_le_bytes());
        assert_eq!(&out[5..9], &4490u32.to_le_bytes());
        let mut r = CopyRows::default();
        r.ewkb_multipolygon(&mp, 4490);
        assert_eq!(&r.buf[..4], &(out.len() as i32).to_be_bytes());
        assert_eq!(&r.buf[4..], &out[..]);
    }
}
