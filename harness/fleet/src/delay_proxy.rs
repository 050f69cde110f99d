//! Internet latency between the simulated devices and the control plane: a loopback TCP proxy
//! that holds every chunk of bytes for half a round trip (plus seeded jitter) in each
//! direction, and a new connection for one extra round trip (TCP's handshake). The delay is in
//! the path, not in the device code, so the HTTP client, the server and the operating system
//! see what they would see with laptops on the internet: many connections open and idle at
//! once.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use rand::{Rng as _, SeedableRng as _};
use serde::Serialize;
use tokio::io::AsyncWriteExt as _;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// The delay of the path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathDelay {
    /// Round trip: each direction gets half.
    pub rtt: Duration,
    /// Each round trip varies uniformly within ±jitter/2 around `rtt` (each direction ±jitter/4
    /// around rtt/2); never below zero.
    pub jitter: Duration,
    /// Seeds the jitter, so a rerun with the same seed delays the same way.
    pub seed: u64,
}

/// Chunks held per direction before the reader waits: bounds a connection's memory.
const CHUNKS_IN_FLIGHT: usize = 16;
/// Largest chunk read at once (requests and replies of the API are well under this).
const CHUNK: usize = 4096;

/// One direction's delays: seeded, so a run's jitter is reproducible per connection.
pub struct OneWay {
    rng: rand::rngs::StdRng,
    base: Duration,
    spread: Duration,
}

impl OneWay {
    /// `stream` tells the connections and directions apart.
    pub fn new(d: &PathDelay, stream: u64) -> Self {
        let seed = d.seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Self {
            rng: rand::rngs::StdRng::seed_from_u64(seed),
            base: d.rtt / 2,
            spread: d.jitter / 2,
        }
    }

    /// The next chunk's one-way delay: `rtt/2 ± jitter/4`.
    pub fn next_delay(&mut self) -> Duration {
        if self.spread.is_zero() {
            return self.base;
        }
        let spread = self.spread.as_secs_f64();
        let offset = self.rng.gen_range(-spread / 2.0..=spread / 2.0);
        Duration::from_secs_f64((self.base.as_secs_f64() + offset).max(0.0))
    }
}

/// When a chunk read at `now` is delivered: after the handshake (`not_before`), one way later,
/// and never before the chunk ahead of it (TCP keeps bytes in order).
pub fn deliver_at(now: Instant, not_before: Instant, one_way: Duration, prev: Instant) -> Instant {
    (now.max(not_before) + one_way).max(prev)
}

/// What the proxy saw.
#[derive(Debug, Default, Serialize, Clone, PartialEq)]
pub struct ProxyStats {
    /// Connections the devices opened through the proxy.
    pub connections: u64,
    /// Connections to the control plane that failed (the device sees a reset).
    pub upstream_failures: u64,
    /// `accept` errors (e.g. out of file descriptors: raise `ulimit -n`).
    pub accept_errors: u64,
}

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    upstream_failures: AtomicU64,
    accept_errors: AtomicU64,
}

/// A running proxy on 127.0.0.1; devices use [`Self::url`] instead of the control plane's.
pub struct DelayProxy {
    addr: SocketAddr,
    counters: Arc<Counters>,
    accept: tokio::task::JoinHandle<()>,
}

impl DelayProxy {
    /// Listens on a free loopback port and forwards every connection to `upstream`.
    pub async fn start(upstream: SocketAddr, delay: PathDelay) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding the delay proxy on 127.0.0.1")?;
        let addr = listener
            .local_addr()
            .context("reading the delay proxy's address")?;
        let counters = Arc::new(Counters::default());
        let c = counters.clone();
        let accept = tokio::spawn(async move {
            let mut n: u64 = 0;
            loop {
                match listener.accept().await {
                    Ok((client, _)) => {
                        n += 1;
                        c.connections.fetch_add(1, Ordering::Relaxed);
                        let c = c.clone();
                        tokio::spawn(async move {
                            if connection(client, upstream, delay, n).await.is_err() {
                                c.upstream_failures.fetch_add(1, Ordering::Relaxed);
                            }
                        });
                    }
                    Err(_) => {
                        c.accept_errors.fetch_add(1, Ordering::Relaxed);
                        // Out of descriptors, most likely: give closing connections a moment
                        // instead of spinning.
                        tokio::time::sleep(Duration::from_millis(1)).await;
                    }
                }
            }
        });
        Ok(Self {
            addr,
            counters,
            accept,
        })
    }

    /// The URL devices use instead of the control plane's.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the proxy saw so far.
    pub fn stats(&self) -> ProxyStats {
        ProxyStats {
            connections: self.counters.connections.load(Ordering::Relaxed),
            upstream_failures: self.counters.upstream_failures.load(Ordering::Relaxed),
            accept_errors: self.counters.accept_errors.load(Ordering::Relaxed),
        }
    }

    /// Stops accepting; open connections end when their peers close them.
    pub fn shutdown(self) -> ProxyStats {
        self.accept.abort();
        self.stats()
    }
}

/// One device connection: the handshake's round trip, then both directions delayed.
async fn connection(
    client: TcpStream,
    upstream: SocketAddr,
    delay: PathDelay,
    n: u64,
) -> std::io::Result<()> {
    let accepted = Instant::now();
    let mut handshake = OneWay::new(&delay, n * 3);
    let not_before = accepted + handshake.next_delay() + handshake.next_delay();
    let server = TcpStream::connect(upstream).await?;
    let _ = server.set_nodelay(true);
    let _ = client.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = pump(cr, sw, not_before, OneWay::new(&delay, n * 3 + 1));
    let down = pump(sr, cw, accepted, OneWay::new(&delay, n * 3 + 2));
    tokio::join!(up, down);
    Ok(())
}

/// Reads chunks from `from` as they come and writes each to `to` when it is due; ends (and
/// closes `to` for writing) when `from` ends or either side fails.
async fn pump(from: OwnedReadHalf, mut to: OwnedWriteHalf, not_before: Instant, mut d: OneWay) {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Instant, Vec<u8>)>(CHUNKS_IN_FLIGHT);
    let reader = async move {
        let mut prev = Instant::now();
        loop {
            if from.readable().await.is_err() {
                return;
            }
            // The buffer lives only between awaits, so it is not part of the task's state.
            let chunk = {
                let mut buf = [0u8; CHUNK];
                match from.try_read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => buf[..n].to_vec(),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(_) => return,
                }
            };
            prev = deliver_at(Instant::now(), not_before, d.next_delay(), prev);
            if tx.send((prev, chunk)).await.is_err() {
                return;
            }
        }
    };
    let writer = async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt as _;

    fn delay(rtt_ms: u64, jitter_ms: u64) -> PathDelay {
        PathDelay {
            rtt: Duration::from_millis(rtt_ms),
            jitter: Duration::from_millis(jitter_ms),
            seed: 42,
        }
    }

    #[test]
    fn jitter_is_seeded_and_bounded() {
        let d = delay(100, 40);
        let a: Vec<Duration> = {
            let mut w = OneWay::new(&d, 7);
            (0..1000).map(|_| w.next_delay()).collect()
        };
        let b: Vec<Duration> = {
            let mut w = OneWay::new(&d, 7);
            (0..1000).map(|_| w.next_delay()).collect()
        };
        assert_eq!(a, b, "same seed and stream, same delays");
        let other: Vec<Duration> = {
            let mut w = OneWay::new(&d, 8);
            (0..1000).map(|_| w.next_delay()).collect()
        };
        assert_ne!(a, other, "another stream, other delays");
        let (lo, hi) = (Duration::from_millis(40), Duration::from_millis(60));
        assert!(a.iter().all(|x| (lo..=hi).contains(x)), "rtt/2 ± jitter/4");
        assert!(a.iter().any(|x| *x < Duration::from_millis(45)));
        assert!(a.iter().any(|x| *x > Duration::from_millis(55)));
        let mut flat = OneWay::new(&delay(100, 0), 1);
        assert_eq!(flat.next_delay(), Duration::from_millis(50));
        // Jitter wider than the delay never makes it negative.
        let mut wide = OneWay::new(&delay(2, 100), 1);
        assert!((0..100).all(|_| wide.next_delay() <= Duration::from_millis(26)));
    }

    #[test]
    fn chunks_are_delivered_in_order_and_after_the_handshake() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        // Read before the handshake ends: delivered one way after it.
        assert_eq!(deliver_at(t0, t0 + ms(100), ms(50), t0), t0 + ms(150));
        // A short delay never overtakes the chunk ahead.
        assert_eq!(
            deliver_at(t0 + ms(200), t0, ms(10), t0 + ms(260)),
            t0 + ms(260)
        );
        assert_eq!(deliver_at(t0 + ms(200), t0, ms(50), t0), t0 + ms(250));
    }

    /// An echo server behind the proxy: 1 MiB of patterned bytes goes through and comes back
    /// intact, in both directions, and the connection closes cleanly.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn forwards_bytes_intact_both_ways() {
        let echo = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let echo_addr = echo.local_addr().expect("addr");
        tokio::spawn(async move {
            let (s, _) = echo.accept().await.expect("accept");
            let (mut r, mut w) = s.into_split();
            tokio::io::copy(&mut r, &mut w).await.expect("echo");
            w.shutdown().await.expect("shutdown");
        });
        let proxy = DelayProxy::start(echo_addr, delay(2, 2))
            .await
            .expect("proxy");
        let url = proxy.url();
        let addr = url.trim_start_matches("http://");
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (mut r, mut w) = stream.into_split();
        let sent: Vec<u8> = (0..1024 * 1024u32).map(|i| (i * 7 % 251) as u8).collect();
        let to_send = sent.clone();
        let writer = tokio::spawn(async move {
            for part in to_send.chunks(10_000) {
                w.write_all(part).await.expect("write");
            }
            w.shutdown().await.expect("half-close");
        });
        let mut got = Vec::new();
        r.read_to_end(&mut got).await.expect("read back");
        writer.await.expect("writer");
        assert_eq!(got.len(), sent.len());
        assert!(got == sent, "bytes changed on the way");
        let stats = proxy.shutdown();
        assert_eq!(stats.connections, 1);
        assert_eq!(stats.upstream_failures, 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_dead_upstream_is_counted_and_the_device_sees_a_closed_connection() {
        // A port that was free a moment ago: nothing listens there.
        let dead = {
            let l = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
            l.local_addr().expect("addr")
        };
        let proxy = DelayProxy::start(dead, delay(0, 0)).await.expect("proxy");
        let url = proxy.url();
        let mut s = TcpStream::connect(url.trim_start_matches("http://"))
            .await
            .expect("connect");
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf).await;
        assert!(buf.is_empty());
        // The failure is counted once the proxy's connection task has finished, which on a
        // busy machine (the workspace's tests in parallel) can take many turns of the
        // scheduler: a thousand was not always enough.
        let mut stats = proxy.stats();
        for _ in 0..1_000_000 {
            if stats.upstream_failures == 1 {
                break;
            }
            tokio::task::yield_now().await;
            stats = proxy.stats();
        }
        assert_eq!(stats.connections, 1);
        assert_eq!(stats.upstream_failures, 1);
    }
}
