import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * NioChat: a java.nio server (one Selector thread, non-blocking channels) and a client with many
 * TCP connections, the Java twin of chat.py (run with {@code java -cp count.jar NioChat}).
 *
 * <p>Why: the shape of a Java service: the JVM's own threads, an epoll behind the Selector, its
 * wake-up pipe, non-blocking channels with partial reads; the client's connections are plain
 * blocking sockets, used in turn, so most are idle at any moment.
 *
 * <p>Usage: {@code NioChat serve HOST PORT} answers each line "n k" with "n+1 k" and prints
 * "serving HOST PORT" once it listens; {@code NioChat talk HOST PORT CONNECTIONS ROUNDS} sends
 * "r k" on every connection k in round r, checks every answer, prints "round r", sleeps 50 ms,
 * and ends with "done". A wrong answer prints "MISMATCH ..." (exit 3), a closed connection
 * "READ FAILED ..." (exit 4).
 */
public final class NioChat {
  private NioChat() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("serve")) {
      serve(args[1], Integer.parseInt(args[2]));
    } else if (args.length == 5 && args[0].equals("talk")) {
      System.exit(talk(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4])));
    } else {
      System.err.println("usage: NioChat serve HOST PORT | talk HOST PORT CONNECTIONS ROUNDS");
      System.exit(2);
    }
  }

  /** A connection's bytes not yet a whole line. */
  private static final class Pending {
    final StringBuilder line = new StringBuilder();
  }

  private static void serve(String host, int port) throws IOException {
    try (Selector selector = Selector.open(); ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(host, port));
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
      System.out.println("serving " + host + " " + port);
      ByteBuffer in = ByteBuffer.allocate(64 * 1024);
      while (true) {
        selector.select();
        Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
        while (ready.hasNext()) {
          SelectionKey key = ready.next();
          ready.remove();
          if (key.isAcceptable()) {
            SocketChannel c = server.accept();
            if (c != null) {
              c.configureBlocking(false);
              c.register(selector, SelectionKey.OP_READ, new Pending());
            }
          } else if (key.isReadable()) {
            answer((SocketChannel) key.channel(), (Pending) key.attachment(), in, key);
          }
        }
      }
    }
  }

  private static void answer(SocketChannel c, Pending pending, ByteBuffer in, SelectionKey key) throws IOException {
    in.clear();
    int n;
    try {
      n = c.read(in);
    } catch (IOException closed) {
      n = -1;
    }
    if (n < 0) {
      key.cancel();
      c.close();
      return;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      char ch = (char) in.get(i);
      if (ch != '\n') {
        pending.line.append(ch);
        continue;
      }
      String[] parts = pending.line.toString().split(" ");
      out.append(Long.parseLong(parts[0]) + 1).append(' ').append(parts[1]).append('\n');
      pending.line.setLength(0);
    }
    ByteBuffer reply = ByteBuffer.wrap(out.toString().getBytes(StandardCharsets.US_ASCII));
    while (reply.hasRemaining()) {
      c.write(reply); // a few bytes per connection: the send buffer always has room
    }
  }

  private static int talk(String host, int port, int connections, int rounds) throws Exception {
    List<Socket> sockets = new ArrayList<>();
    List<BufferedReader> readers = new ArrayList<>();
    List<OutputStream> writers = new ArrayList<>();
    for (int k = 0; k < connections; k++) {
      Socket s = new Socket(host, port);
      sockets.add(s);
      readers.add(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)));
      writers.add(s.getOutputStream());
    }
    for (int r = 1; r <= rounds; r++) {
      for (int k = 0; k < connections; k++) {
        writers.get(k).write((r + " " + k + "\n").getBytes(StandardCharsets.US_ASCII));
      }
      for (int k = 0; k < connections; k++) {
        String line = readers.get(k).readLine();
        if (line == null) {
          System.out.println("READ FAILED round " + r + " connection " + k);
          return 4;
        }
        if (!line.equals((r + 1) + " " + k)) {
          System.out.println("MISMATCH round " + r + " connection " + k + " got " + line);
          return 3;
        }
      }
      System.out.println("round " + r);
      Thread.sleep(50);
    }
    System.out.println("done");
    for (Socket s : sockets) {
      s.close();
    }
    return 0;
  }
}
