import type { Server as HttpServer } from 'node:http';
import net from 'node:net';

/** The first byte of a TLS handshake record; a plain HTTP request starts with a method's letters. */
const TLS_HANDSHAKE = 0x16;

/**
 * One port for HTTPS and plain HTTP: each connection's first byte says which server gets it. A tablet that types the
 * server's address (plain HTTP, as browsers assume for an address) reaches the install page on the very port the app
 * serves HTTPS on. Every connection is emitted as the front's own `connection` first (a shutdown can end those that
 * never said anything).
 *
 * Written here rather than taken from httpolyglot: that library hands TLS connections to HTTP/1 and HTTP/2 servers
 * of its own, which would put HTTP/2's compatibility objects under handlers written for HTTP/1 and hide the servers
 * whose idle connections a graceful shutdown closes.
 */
export function samePort(secure: HttpServer, plain: HttpServer, opts: { firstByteTimeoutMs: number }): net.Server {
  // No Nagle delay, as Node's HTTP servers set for theirs: a response written in parts (a streamed page, a live
  // stream) must not wait 40 ms for an acknowledgement between parts.
  const front = net.createServer({ noDelay: true }, (socket) => {
    // A connection that never says anything is dropped, as an HTTP server drops one that never sends its headers.
    const silent = () => socket.destroy();
    socket.setTimeout(opts.firstByteTimeoutMs, silent);
    const ignore = () => {};
    socket.on('error', ignore);
    const route = () => {
      const head = socket.read() as Buffer | null;
      if (head === null) {
        socket.once('readable', route);
        return;
      }
      socket.setTimeout(0);
      socket.off('timeout', silent);
      socket.off('error', ignore);
      socket.unshift(head);
      (head[0] === TLS_HANDSHAKE ? secure : plain).emit('connection', socket);
    };
    route();
  });
  // The inner servers never listen themselves: what Node sets up when a server starts listening (the connection
  // list that enforces headersTimeout and requestTimeout, and that closeIdleConnections walks) is set up for them
  // when the front starts.
  front.once('listening', () => {
    secure.emit('listening');
    plain.emit('listening');
  });
  return front;
}
