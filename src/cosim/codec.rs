//! TraCI's wire format as plain functions: messages, commands, typed values, status replies.
//!
//! Source: SUMO documentation, "TraCI/Protocol" and "TraCI/Protocol#atomar_types"; SUMO's
//! `src/libsumo/TraCIConstants.h` and the Python client's `traci/connection.py` and
//! `traci/storage.py` (the client this server is tested against). All integers are big-endian.
//!
//! - A message is an `int` total length (itself included) followed by commands.
//! - A command is a `ubyte` length (itself and the id included) and a `ubyte` id, then its
//!   content; a length byte of 0 is followed by an `int` length (the 5 bytes included), for
//!   commands over 255 bytes.
//! - A reply message holds, for each command in order, a status command (`RTYPE_OK`,
//!   `RTYPE_NOTIMPLEMENTED` or `RTYPE_ERR` with a description) and then any response command.

/// Result types of a status command.
pub const RTYPE_OK: u8 = 0x00;
pub const RTYPE_NOTIMPLEMENTED: u8 = 0x01;
pub const RTYPE_ERR: u8 = 0xFF;

/// Type tags of typed values.
pub const POSITION_2D: u8 = 0x01;
pub const POSITION_3D: u8 = 0x03;
pub const TYPE_UBYTE: u8 = 0x07;
pub const TYPE_BYTE: u8 = 0x08;
pub const TYPE_INTEGER: u8 = 0x09;
pub const TYPE_DOUBLE: u8 = 0x0B;
pub const TYPE_STRING: u8 = 0x0C;
pub const TYPE_STRINGLIST: u8 = 0x0E;
pub const TYPE_COMPOUND: u8 = 0x0F;
pub const TYPE_DOUBLELIST: u8 = 0x10;

/// The largest message accepted, bytes: far above any real command (a route of 10,000 edges
/// is ~200 kB), small enough that a hostile length cannot make the server allocate much.
pub const MAX_MESSAGE: usize = 16 << 20;

/// Why bytes could not be read as what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError(pub String);

impl std::fmt::Display for CodecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn short(what: &str, need: usize, have: usize) -> CodecError {
    CodecError(format!("truncated {what}: needs {need} bytes, {have} left"))
}

/// A typed value, as clients send and receive them.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    UByte(u8),
    Byte(i8),
    Int(i32),
    Double(f64),
    Str(String),
    StrList(Vec<String>),
    DoubleList(Vec<f64>),
    Pos2d(f64, f64),
    Pos3d(f64, f64, f64),
    Compound(Vec<Value>),
}

impl Value {
    /// The value as a number, if it is one.
    pub fn number(&self) -> Option<f64> {
        match *self {
            Value::Double(d) => Some(d),
            Value::Int(i) => Some(f64::from(i)),
            Value::UByte(b) => Some(f64::from(b)),
            Value::Byte(b) => Some(f64::from(b)),
            _ => None,
        }
    }
}

/// Reads a byte slice front to back; every read is bounds-checked.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], CodecError> {
        if n > self.left() {
            return Err(short(what, n, self.left()));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], CodecError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }

    pub fn ubyte(&mut self) -> Result<u8, CodecError> {
        Ok(self.array::<1>("ubyte")?[0])
    }

    pub fn int(&mut self) -> Result<i32, CodecError> {
        Ok(i32::from_be_bytes(self.array("int")?))
    }

    pub fn double(&mut self) -> Result<f64, CodecError> {
        Ok(f64::from_be_bytes(self.array("double")?))
    }

    /// A count or length: an `int` that must be non-negative and fit in what is left, given
    /// that each item takes at least `min_item` bytes.
    fn count(&mut self, min_item: usize, what: &str) -> Result<usize, CodecError> {
        let n = self.int()?;
        let n =
            usize::try_from(n).map_err(|_| CodecError(format!("negative {what} length {n}")))?;
        if n.saturating_mul(min_item) > self.left() {
            return Err(short(what, n.saturating_mul(min_item), self.left()));
        }
        Ok(n)
    }

    pub fn string(&mut self) -> Result<String, CodecError> {
        let n = self.count(1, "string")?;
        let bytes = self.take(n, "string")?;
        String::from_utf8(bytes.to_vec()).map_err(|_| CodecError("string is not UTF-8".into()))
    }

    pub fn string_list(&mut self) -> Result<Vec<String>, CodecError> {
        let n = self.count(4, "string list")?;
        (0..n).map(|_| self.string()).collect()
    }

    /// A typed value: its type tag, then the value.
    pub fn value(&mut self) -> Result<Value, CodecError> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: u8) -> Result<Value, CodecError> {
        let tag = self.ubyte()?;
        Ok(match tag {
            TYPE_UBYTE => Value::UByte(self.ubyte()?),
            TYPE_BYTE => Value::Byte(self.ubyte()? as i8),
            TYPE_INTEGER => Value::Int(self.int()?),
            TYPE_DOUBLE => Value::Double(self.double()?),
            TYPE_STRING => Value::Str(self.string()?),
            TYPE_STRINGLIST => Value::StrList(self.string_list()?),
            TYPE_DOUBLELIST => {
                let n = self.count(8, "double list")?;
                Value::DoubleList((0..n).map(|_| self.double()).collect::<Result<_, _>>()?)
            }
            POSITION_2D => Value::Pos2d(self.double()?, self.double()?),
            POSITION_3D => Value::Pos3d(self.double()?, self.double()?, self.double()?),
            TYPE_COMPOUND if depth < 4 => {
                let n = self.count(1, "compound")?;
                let items = (0..n).map(|_| self.value_at(depth + 1));
                Value::Compound(items.collect::<Result<_, _>>()?)
            }
            TYPE_COMPOUND => return Err(CodecError("compounds nested too deep".into())),
            t => return Err(CodecError(format!("unknown type tag 0x{t:02x}"))),
        })
    }
}

/// One command of a message: its id and its content (length prefix and id removed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Command<'a> {
    pub id: u8,
    pub body: &'a [u8],
}

/// Split a message's content (after its 4-byte length) into commands. A command whose length
/// runs past the message, or is too short to hold its id, breaks the framing: the rest of the
/// message cannot be read, and the error says which command and where.
pub fn commands(msg: &[u8]) -> Result<Vec<Command<'_>>, CodecError> {
    let mut out = Vec::new();
    let mut r = Reader::new(msg);
    while r.left() > 0 {
        let at = r.pos;
        let short_len = r.ubyte()?;
        let (len, head) = if short_len == 0 {
            let n = r.int()?;
            (usize::try_from(n).unwrap_or(0), 5)
        } else {
            (usize::from(short_len), 1)
        };
        if len < head + 1 || len - head > r.left() {
            return Err(CodecError(format!(
                "command at byte {at} has length {len}, but {} bytes are left in the message",
                r.left() + head
            )));
        }
        let id = r.ubyte()?;
        let body = r.take(len - head - 1, "command")?;
        out.push(Command { id, body });
    }
    Ok(out)
}

/// Builds reply bytes.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn ubyte(&mut self, b: u8) -> &mut Self {
        self.buf.push(b);
        self
    }

    pub fn int(&mut self, i: i32) -> &mut Self {
        self.buf.extend_from_slice(&i.to_be_bytes());
        self
    }

    pub fn double(&mut self, d: f64) -> &mut Self {
        self.buf.extend_from_slice(&d.to_be_bytes());
        self
    }

    pub fn string(&mut self, s: &str) -> &mut Self {
        self.int(len_i32(s.len()));
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    /// A typed value: tag, then the value.
    pub fn value(&mut self, v: &Value) -> &mut Self {
        match v {
            Value::UByte(b) => self.ubyte(TYPE_UBYTE).ubyte(*b),
            Value::Byte(b) => self.ubyte(TYPE_BYTE).ubyte(*b as u8),
            Value::Int(i) => self.ubyte(TYPE_INTEGER).int(*i),
            Value::Double(d) => self.ubyte(TYPE_DOUBLE).double(*d),
            Value::Str(s) => self.ubyte(TYPE_STRING).string(s),
            Value::StrList(l) => {
                self.ubyte(TYPE_STRINGLIST).int(len_i32(l.len()));
                l.iter().for_each(|s| {
                    self.string(s);
                });
                self
            }
            Value::DoubleList(l) => {
                self.ubyte(TYPE_DOUBLELIST).int(len_i32(l.len()));
                l.iter().for_each(|d| {
                    self.double(*d);
                });
                self
            }
            Value::Pos2d(x, y) => self.ubyte(POSITION_2D).double(*x).double(*y),
            Value::Pos3d(x, y, z) => self.ubyte(POSITION_3D).double(*x).double(*y).double(*z),
            Value::Compound(items) => {
                self.ubyte(TYPE_COMPOUND).int(len_i32(items.len()));
                items.iter().for_each(|i| {
                    self.value(i);
                });
                self
            }
        }
    }

    /// A whole command: length prefix (short or long form), id, content.
    pub fn command(&mut self, id: u8, content: &[u8]) -> &mut Self {
        let len = content.len() + 2;
        if len <= 255 {
            self.ubyte(len as u8);
        } else {
            self.ubyte(0).int(len_i32(len + 4));
        }
        self.ubyte(id);
        self.buf.extend_from_slice(content);
        self
    }

    /// A status command: the command it answers, the result type, a description.
    pub fn status(&mut self, id: u8, rtype: u8, description: &str) -> &mut Self {
        let mut c = Writer::default();
        c.ubyte(rtype).string(description);
        self.command(id, &c.buf)
    }
}

/// Lengths written as `int`; nothing the server writes comes near 2 GiB (messages are built
/// from bounded state), so saturating is only a guard.
fn len_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// A whole message: the 4-byte total length, then the content.
pub fn message(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 4);
    out.extend_from_slice(&len_i32(content.len() + 4).to_be_bytes());
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes the Python client sends for `traci.vehicle.getSpeed("v0")` (connection.py's
    /// `_sendCmd`: length 1 + 1 + 1 + 4 + 2, id 0xa4, variable 0x40, string "v0").
    #[test]
    fn a_get_command_splits_as_the_client_frames_it() {
        let msg = [9, 0xa4, 0x40, 0, 0, 0, 2, b'v', b'0'];
        let cmds = commands(&msg).expect("frames");
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].id, 0xa4);
        let mut r = Reader::new(cmds[0].body);
        assert_eq!(r.ubyte(), Ok(0x40));
        assert_eq!(r.string().as_deref(), Ok("v0"));
        assert_eq!(r.left(), 0);
    }

    #[test]
    fn long_commands_use_the_int_length_form_both_ways() {
        let content = vec![7u8; 300];
        let mut w = Writer::default();
        w.command(0xc4, &content);
        // 0, then int 300 + 1 + 1 + 4 = 306, then the id.
        assert_eq!(&w.buf[..6], &[0, 0, 0, 1, 50, 0xc4]);
        let cmds = commands(&w.buf).expect("frames");
        assert_eq!(
            cmds,
            vec![Command {
                id: 0xc4,
                body: &content
            }]
        );
    }

    #[test]
    fn a_status_is_length_id_result_and_description() {
        let mut w = Writer::default();
        w.status(0x02, RTYPE_OK, "");
        assert_eq!(w.buf, vec![7, 0x02, 0x00, 0, 0, 0, 0]);
        let mut w = Writer::default();
        w.status(0xa4, RTYPE_ERR, "x");
        assert_eq!(w.buf, vec![8, 0xa4, 0xff, 0, 0, 0, 1, b'x']);
    }

    #[test]
    fn typed_values_round_trip() {
        let values = [
            Value::Int(-3),
            Value::Double(13.89),
            Value::Str("Susaek-ro".into()),
            Value::StrList(vec!["a".into(), String::new()]),
            Value::Pos2d(1.5, -2.0),
            Value::Pos3d(1.0, 2.0, 3.0),
            Value::Compound(vec![Value::Int(2), Value::Double(5.0)]),
            Value::UByte(200),
            Value::Byte(-1),
            Value::DoubleList(vec![0.5]),
        ];
        for v in values {
            let mut w = Writer::default();
            w.value(&v);
            assert_eq!(Reader::new(&w.buf).value(), Ok(v));
        }
    }

    #[test]
    fn hostile_lengths_are_errors_not_allocations() {
        // A string claiming 2 GiB, a list claiming a billion items, a negative length.
        let huge = [TYPE_STRING, 0x7f, 0xff, 0xff, 0xff, b'a'];
        assert!(Reader::new(&huge).value().is_err());
        let many = [TYPE_STRINGLIST, 0x3b, 0x9a, 0xca, 0x00];
        assert!(Reader::new(&many).value().is_err());
        let negative = [TYPE_STRING, 0xff, 0xff, 0xff, 0xfe];
        assert!(Reader::new(&negative).value().is_err());
        // A command longer than its message, and one too short to hold its id.
        assert!(commands(&[20, 0x02, 0]).is_err());
        assert!(commands(&[1, 0x02]).is_err());
        assert!(commands(&[0, 0, 0, 0, 3, 0x02]).is_err());
        // Compounds nested past any real command.
        let mut deep = Vec::new();
        for _ in 0..10 {
            deep.extend_from_slice(&[TYPE_COMPOUND, 0, 0, 0, 1]);
        }
        deep.extend_from_slice(&[TYPE_UBYTE, 1]);
        assert!(Reader::new(&deep).value().is_err());
    }
}
