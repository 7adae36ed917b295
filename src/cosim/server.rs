//! The TCP side: accept the clients, read their messages, step the world when every client
//! waits for a step, and send the replies.
//!
//! With several clients (`--clients N`), as in SUMO ("TraCI/Multiple clients"): each client's
//! commands are answered until it asks for a step; once every client waits, the world steps
//! until the earliest requested time, and the clients whose time has come get their replies
//! and are served again, in the order they set with `setOrder` (ties and clients that set
//! none: in the order they connected). The order of what happens depends only on what the
//! clients send, never on network timing.
use std::io::{self, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use super::codec::{MAX_MESSAGE, RTYPE_ERR, Writer, commands, message};
use super::session::{Client, Next};
use super::world::Sim;

/// Times closer than this (s) are the same step.
const EPS: f64 = 1e-9;

/// How the session ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ended {
    /// Clients that closed with `close`.
    pub closed: usize,
    /// Clients whose connection was lost or broke the framing: (client number, what, when).
    pub lost: Vec<(usize, String, f64)>,
    /// Steps run, and the wall time spent in them and in the server's own work (decoding,
    /// answering, subscriptions, sending; not waiting for clients): the overhead a client
    /// adds to a run (docs/performance.md).
    pub steps: u64,
    pub step_time: Duration,
    pub serve_time: Duration,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Open,
    Closed,
    Lost(String),
}

struct Conn {
    stream: TcpStream,
    /// The same connection, read through a buffer: one system call per message, mostly.
    reader: BufReader<TcpStream>,
    client: Client,
    /// Connection order, from 0.
    seq: usize,
    /// The message being answered and how many of its commands are done.
    msg: Vec<u8>,
    done: usize,
    out: Writer,
    /// The time this client's `simulationStep` waits for.
    wait: Option<f64>,
    state: State,
}

/// Accept `n` clients on `listener` and serve them until every one has closed or one is lost
/// (a lost client ends the run: the others are disconnected).
pub fn serve(sim: &mut Sim, listener: &TcpListener, n: usize) -> io::Result<Ended> {
    let mut server = Server::accept(listener, n)?;
    server.start(sim);
    while server.advance(sim, u64::MAX) {}
    Ok(server.finish())
}

/// The connected clients and what the session has come to; stepped by [`Server::advance`]
/// (all at once for `serve`, a frame's worth at a time for the view).
pub struct Server {
    conns: Vec<Conn>,
    ended: Ended,
}

impl Server {
    /// Wait for `n` clients.
    pub fn accept(listener: &TcpListener, n: usize) -> io::Result<Server> {
        let mut conns = Vec::with_capacity(n);
        for seq in 0..n {
            let (stream, _) = listener.accept()?;
            stream.set_nodelay(true)?;
            conns.push(Conn {
                reader: BufReader::new(stream.try_clone()?),
                stream,
                client: Client::default(),
                seq,
                msg: Vec::new(),
                done: 0,
                out: Writer::default(),
                wait: None,
                state: State::Open,
            });
        }
        Ok(Server {
            conns,
            ended: Ended::default(),
        })
    }

    /// Serve each client until its first step, in connection order; from then on they are
    /// served in the order they set.
    pub fn start(&mut self, sim: &mut Sim) {
        for c in &mut self.conns {
            serve_until_step(sim, c, &mut self.ended.serve_time);
        }
        self.conns
            .sort_by_key(|c| (c.client.order.unwrap_or(i32::MAX), c.seq));
    }

    /// Run at most `max_steps` steps towards what the clients asked for, answering each
    /// client whose time has come and serving it until its next step (blocking on it); false
    /// once the session is over (every client closed, or one lost).
    pub fn advance(&mut self, sim: &mut Sim, max_steps: u64) -> bool {
        settle(sim, &mut self.conns, &mut self.ended);
        if self.conns.is_empty() || !self.ended.lost.is_empty() {
            return false;
        }
        let target = self
            .conns
            .iter()
            .filter_map(|c| c.wait)
            .fold(f64::INFINITY, f64::min);
        let stepping = Instant::now();
        let mut steps = 0;
        while sim.time() + EPS < target && !sim.ended() && steps < max_steps {
            sim.step();
            steps += 1;
        }
        self.ended.steps += steps;
        self.ended.step_time += stepping.elapsed();
        for c in self.conns.iter_mut() {
            if c.wait.is_some_and(|w| sim.time() + EPS >= w) || sim.ended() {
                let replying = Instant::now();
                c.wait = None;
                c.client.step_reply(sim, &mut c.out);
                self.ended.serve_time += replying.elapsed();
                serve_until_step(sim, c, &mut self.ended.serve_time);
            }
        }
        true
    }

    /// Disconnect whoever is left; what the session came to.
    pub fn finish(self) -> Ended {
        for c in &self.conns {
            let _ = c.stream.shutdown(std::net::Shutdown::Both);
        }
        self.ended
    }
}

/// Drop the clients that closed or were lost, counting them.
fn settle(sim: &Sim, conns: &mut Vec<Conn>, ended: &mut Ended) {
    conns.retain(|c| match &c.state {
        State::Open => true,
        State::Closed => {
            ended.closed += 1;
            false
        }
        State::Lost(why) => {
            ended.lost.push((c.seq + 1, why.clone(), sim.time()));
            false
        }
    });
}

/// Answer a client's commands until it asks for a step that takes time, closes, or is lost;
/// adds the time spent answering (not waiting) to `busy`.
fn serve_until_step(sim: &mut Sim, c: &mut Conn, busy: &mut Duration) {
    let mut since = Instant::now();
    loop {
        if c.msg.is_empty() {
            *busy += since.elapsed();
            let read = read_message(&mut c.reader);
            since = Instant::now();
            match read {
                Ok(m) if m.is_empty() => {
                    send(c);
                    continue;
                }
                Ok(m) => (c.msg, c.done) = (m, 0),
                Err(e) => {
                    c.state = State::Lost(e);
                    return;
                }
            }
        }
        let msg = std::mem::take(&mut c.msg);
        match answer(sim, c, &msg) {
            Some(Next::Step(_)) => {
                c.msg = msg;
                break;
            }
            Some(Next::Close) => {
                send(c);
                let _ = c.stream.shutdown(std::net::Shutdown::Both);
                c.state = State::Closed;
                break;
            }
            _ => {}
        }
        send(c);
        if c.state != State::Open {
            break;
        }
    }
    *busy += since.elapsed();
}

/// Answer the commands of `msg` from `c.done` on; stops at a step that takes time or a close.
fn answer(sim: &mut Sim, c: &mut Conn, msg: &[u8]) -> Option<Next> {
    let cmds = match commands(msg) {
        Ok(cmds) => cmds,
        Err(e) => {
            // The message's own length still frames it: the connection stays usable.
            let id = msg.get(1).copied().unwrap_or(0);
            c.out
                .status(id, RTYPE_ERR, &format!("malformed message: {e}"));
            return None;
        }
    };
    for cmd in cmds.iter().skip(c.done) {
        c.done += 1;
        match c.client.handle(sim, *cmd, &mut c.out) {
            Next::More => {}
            Next::Step(t) if sim.time() + EPS >= t => c.client.step_reply(sim, &mut c.out),
            Next::Step(t) => {
                c.wait = Some(t);
                return Some(Next::Step(t));
            }
            Next::Close => return Some(Next::Close),
        }
    }
    None
}

/// Send the reply built so far as one message.
fn send(c: &mut Conn) {
    let bytes = message(&c.out.buf);
    c.out.buf.clear();
    if let Err(e) = c.stream.write_all(&bytes) {
        c.state = State::Lost(format!("could not send: {e}"));
    }
}

/// Read one message's content. A length outside [4, MAX_MESSAGE] cannot be framed: the
/// connection ends.
fn read_message(stream: &mut impl Read) -> Result<Vec<u8>, String> {
    let mut len = [0u8; 4];
    stream
        .read_exact(&mut len)
        .map_err(|e| format!("connection lost: {e}"))?;
    let len = i32::from_be_bytes(len);
    let n = usize::try_from(len).unwrap_or(0);
    if !(4..=MAX_MESSAGE).contains(&n) {
        return Err(format!(
            "message length {len} is outside 4..={MAX_MESSAGE}: the stream cannot be framed"
        ));
    }
    let mut msg = vec![0u8; n - 4];
    stream
        .read_exact(&mut msg)
        .map_err(|e| format!("connection lost mid-message: {e}"))?;
    Ok(msg)
}
