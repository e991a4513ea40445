//! Geometry literals in `cql2-text`: WKT (2-D, an optional `Z` accepted and dropped) and BBOX, with
//! the number of positions bounded by [`MAX_COORDINATES`].

use super::lex::{describe, Tok};
use super::{Parser, WKT};
use crate::cql2::geom::{self, Coord, Geometry};
use crate::cql2::{Cql2Error, MAX_COORDINATES};

impl Parser {
    /// The keyword has been consumed. Accepts an optional `Z` before the parenthesis.
    pub(super) fn geometry(&mut self, kw: &str, pos: usize, depth: usize) -> Result<Geometry, Cql2Error> {
        if self.is_kw("EMPTY") {
            return Err(self.err_here("EMPTY geometries are not supported"));
        }
        if kw != "BBOX" && self.is_kw("Z") {
            self.advance();
        }
        let open = self.pos();
        self.expect(Tok::LParen, "'(' after the geometry keyword")?;
        let g = match kw {
            "POINT" => Geometry::Point(self.coord()?),
            "LINESTRING" => Geometry::LineString(self.line()?),
            // The '(' just consumed opens the ring list.
            "POLYGON" => Geometry::Polygon(self.rings_after_open()?),
            "MULTIPOINT" => Geometry::MultiPoint(self.multipoint()?),
            "MULTILINESTRING" => Geometry::MultiLineString(self.multilinestring()?),
            "MULTIPOLYGON" => Geometry::MultiPolygon(self.multipolygon()?),
            "GEOMETRYCOLLECTION" => Geometry::GeometryCollection(self.collection(depth)?),
            "BBOX" => Geometry::BBox(self.bbox()?),
            _ => return Err(Cql2Error::at_offset("unknown geometry", pos)),
        };
        self.close(open, " of the geometry")?;
        Ok(g)
    }

    fn collection(&mut self, depth: usize) -> Result<Vec<Geometry>, Cql2Error> {
        let mut gs = Vec::new();
        loop {
            let gpos = self.pos();
            let inner = match self.peek() {
                Tok::Ident(s) if WKT.contains(&s.to_ascii_uppercase().as_str()) => s.to_ascii_uppercase(),
                t => {
                    let msg = format!("expected a WKT geometry inside GEOMETRYCOLLECTION, found {}", describe(t));
                    return Err(self.err_here(msg));
                }
            };
            self.advance();
            let d = self.deeper(depth)?;
            gs.push(self.geometry(&inner, gpos, d)?);
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                return Ok(gs);
            }
        }
    }

    #[inline(never)]
    fn multipoint(&mut self) -> Result<Vec<Coord>, Cql2Error> {
        let mut pts = Vec::new();
        loop {
            if *self.peek() == Tok::LParen {
                let o = self.pos();
                self.advance();
                pts.push(self.coord()?);
                self.close(o, " of a MULTIPOINT position")?;
            } else {
                pts.push(self.coord()?);
            }
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                return Ok(pts);
            }
        }
    }

    #[inline(never)]
    fn multilinestring(&mut self) -> Result<Vec<Vec<Coord>>, Cql2Error> {
        let mut lines = Vec::new();
        loop {
            let o = self.pos();
            self.expect(Tok::LParen, "'(' to start a linestring")?;
            lines.push(self.line()?);
            self.close(o, " of a linestring")?;
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                return Ok(lines);
            }
        }
    }

    #[inline(never)]
    fn multipolygon(&mut self) -> Result<Vec<Vec<Vec<Coord>>>, Cql2Error> {
        let mut polys = Vec::new();
        loop {
            let o = self.pos();
            self.expect(Tok::LParen, "'(' to start a polygon")?;
            polys.push(self.rings_after_open()?);
            self.close(o, " of a polygon")?;
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                return Ok(polys);
            }
        }
    }

    #[inline(never)]
    fn bbox(&mut self) -> Result<[f64; 4], Cql2Error> {
        let mut v = Vec::new();
        let npos = self.pos();
        loop {
            v.push(self.number()?);
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                break;
            }
        }
        let b = match v.as_slice() {
            [w, s, e, n] => [*w, *s, *e, *n],
            [w, s, _, e, n, _] => [*w, *s, *e, *n],
            _ => {
                return Err(Cql2Error::at_offset(
                    format!("BBOX takes 4 numbers (west, south, east, north) or 6 with heights, found {}", v.len()),
                    npos,
                ))
            }
        };
        geom::check_bbox(b).map_err(|m| Cql2Error::at_offset(m, npos))?;
        self.count_coords(2, npos)?;
        Ok(b)
    }

    fn count_coords(&mut self, n: usize, pos: usize) -> Result<(), Cql2Error> {
        self.coords += n;
        if self.coords > MAX_COORDINATES {
            return Err(Cql2Error::at_offset(
                format!("geometry literals have more than {MAX_COORDINATES} positions"),
                pos,
            ));
        }
        Ok(())
    }

    fn number(&mut self) -> Result<f64, Cql2Error> {
        match *self.peek() {
            Tok::Int(v) => {
                self.advance();
                Ok(v as f64)
            }
            Tok::Float(v) => {
                self.advance();
                Ok(v)
            }
            ref t => {
                let msg = format!("expected a number, found {}", describe(t));
                Err(self.err_here(msg))
            }
        }
    }

    fn coord(&mut self) -> Result<Coord, Cql2Error> {
        let pos = self.pos();
        let x = self.number()?;
        let y = self.number()?;
        if matches!(self.peek(), Tok::Int(_) | Tok::Float(_)) {
            self.advance(); // Z, dropped
        }
        geom::check_coord([x, y]).map_err(|m| Cql2Error::at_offset(m, pos))?;
        self.count_coords(1, pos)?;
        Ok([x, y])
    }

    fn coords(&mut self) -> Result<Vec<Coord>, Cql2Error> {
        let mut v = vec![self.coord()?];
        while *self.peek() == Tok::Comma {
            self.advance();
            v.push(self.coord()?);
        }
        Ok(v)
    }

    fn line(&mut self) -> Result<Vec<Coord>, Cql2Error> {
        let pos = self.pos();
        let v = self.coords()?;
        geom::check_line(&v).map_err(|m| Cql2Error::at_offset(m, pos))?;
        Ok(v)
    }

    /// Rings `(…), (…)` after the polygon's own '(' was consumed; leaves its ')' to the caller.
    fn rings_after_open(&mut self) -> Result<Vec<Vec<Coord>>, Cql2Error> {
        let mut rings = Vec::new();
        loop {
            let o = self.pos();
            self.expect(Tok::LParen, "'(' to start a polygon ring")?;
            let ring = self.coords()?;
            geom::check_ring(&ring).map_err(|m| Cql2Error::at_offset(m, o))?;
            rings.push(ring);
            self.close(o, " of a polygon ring")?;
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                break;
            }
        }
        Ok(rings)
    }
}
