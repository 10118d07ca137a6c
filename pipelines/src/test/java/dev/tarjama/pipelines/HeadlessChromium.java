package dev.tarjama.pipelines;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol (a WebSocket from
 * java.net.http): opens a page, collects console errors, uncaught exceptions and error log
 * entries (a blocked load, a CSP violation) from before the load on, and evaluates expressions.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
  private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  static boolean installed() {
    return Files.isExecutable(Path.of("/usr/bin/chromium"));
  }

  static HeadlessChromium start() throws Exception {
    Path profile = Files.createTempDirectory("tarjama-chromium");
    Process p = new ProcessBuilder("/usr/bin/chromium", "--headless=new", "--no-sandbox",
        "--disable-gpu", "--no-first-run", "--no-default-browser-check",
        "--disable-background-networking", "--remote-debugging-port=0",
        "--remote-allow-origins=*", "--user-data-dir=" + profile, "about:blank")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader err = new BufferedReader(
        new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
    String browserWs = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (String line; System.nanoTime() < deadline && (line = err.readLine()) != null; ) {
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        browserWs = m.group(1);
        break;
      }
    }
    if (browserWs == null) {
      p.destroyForcibly();
      throw new IOException("chromium did not start its DevTools endpoint");
    }
    // Keep draining stderr so chromium never blocks on a full pipe.
    Thread drain = new Thread(() -> {
      try {
        while (err.readLine() != null) {
          // chromium's own log lines; the page's errors come over the protocol
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "chromium-stderr");
    drain.setDaemon(true);
    drain.start();
    URI ws = URI.create(browserWs);
    HttpClient http = HttpClient.newHttpClient();
    String list = http.send(HttpRequest.newBuilder(
            URI.create("http://" + ws.getHost() + ":" + ws.getPort() + "/json/list")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    String pageWs = null;
    for (JsonNode t : RecordJson.MAPPER.readTree(list)) {
      if (t.path("type").asText().equals("page")) {
        pageWs = t.path("webSocketDebuggerUrl").asText();
        break;
      }
    }
    if (pageWs == null) {
      p.destroyForcibly();
      throw new IOException("chromium opened no page: " + list);
    }
    HeadlessChromium[] self = new HeadlessChromium[1];
    WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageWs),
        new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              String message = text.toString();
              text.setLength(0);
              while (self[0] == null) {
                Thread.onSpinWait();
              }
              self[0].receive(message);
            }
            w.request(1);
            return null;
          }
        }).get(30, TimeUnit.SECONDS);
    self[0] = new HeadlessChromium(p, profile, socket);
    return self[0];
  }

  private void receive(String message) {
    JsonNode m;
    try {
      m = RecordJson.MAPPER.readTree(message);
    } catch (IOException e) {
      errors.add("unreadable DevTools message: " + message);
      return;
    }
    if (m.has("id")) {
      CompletableFuture<JsonNode> f = replies.remove(m.get("id").asInt());
      if (f != null) {
        f.complete(m);
      }
      return;
    }
    String method = m.path("method").asText();
    JsonNode params = m.path("params");
    switch (method) {
      case "Runtime.consoleAPICalled" -> {
        String type = params.path("type").asText();
        if (type.equals("error") || type.equals("assert")) {
          errors.add("console." + type + ": " + params.path("args").toString());
        }
      }
      case "Runtime.exceptionThrown" -> errors.add("exception: " + params.path("exceptionDetails"));
      case "Log.entryAdded" -> {
        if (params.at("/entry/level").asText().equals("error")) {
          errors.add("log: " + params.at("/entry/text").asText() + " "
              + params.at("/entry/url").asText());
        }
      }
      default -> { }
    }
    events.add(m);
  }

  JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode msg = RecordJson.MAPPER.createObjectNode();
    msg.put("id", id);
    msg.put("method", method);
    msg.set("params", params == null ? RecordJson.MAPPER.createObjectNode() : params);
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    replies.put(id, reply);
    socket.sendText(msg.toString(), true).get(30, TimeUnit.SECONDS);
    JsonNode r = reply.get(60, TimeUnit.SECONDS);
    if (r.has("error")) {
      throw new IOException(method + ": " + r.get("error"));
    }
    return r.path("result");
  }

  /** Opens {@code url} with the console, log and page domains on; returns after the load event. */
  void open(String url) throws Exception {
    call("Runtime.enable", null);
    call("Log.enable", null);
    call("Page.enable", null);
    events.clear();
    ObjectNode p = RecordJson.MAPPER.createObjectNode();
    p.put("url", url);
    call("Page.navigate", p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      JsonNode e = events.poll(1, TimeUnit.SECONDS);
      if (e != null && e.path("method").asText().equals("Page.loadEventFired")) {
        // Let late console messages (a deferred error) arrive before anyone asks.
        Thread.sleep(Duration.ofMillis(500).toMillis());
        return;
      }
    }
    throw new IOException("no load event for " + url);
  }

  /** The value of a JavaScript expression in the page (DevTools evaluates it, not the page). */
  JsonNode evaluate(String expression) throws Exception {
    ObjectNode p = RecordJson.MAPPER.createObjectNode();
    p.put("expression", expression);
    p.put("returnByValue", true);
    JsonNode r = call("Runtime.evaluate", p);
    if (r.has("exceptionDetails")) {
      throw new IOException(expression + ": " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** The page's console errors, exceptions and error log entries so far. */
  List<String> errors() {
    return new ArrayList<>(errors);
  }

  /** A PNG screenshot of the page's full size. */
  byte[] screenshot() throws Exception {
    ObjectNode p = RecordJson.MAPPER.createObjectNode();
    p.put("format", "png");
    p.put("captureBeyondViewport", true);
    return java.util.Base64.getDecoder().decode(call("Page.captureScreenshot", p)
        .path("data").asText());
  }

  @Override
  public void close() throws Exception {
    try {
      socket.abort();
    } finally {
      // Chromium's helpers (network service, GPU process) write into the profile on their own.
      List<ProcessHandle> helpers = process.descendants().toList();
      process.destroy();
      helpers.forEach(ProcessHandle::destroy);
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      for (ProcessHandle helper : helpers) {
        try {
          helper.onExit().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          helper.destroyForcibly();
        }
      }
      deleteProfile();
    }
  }

  /** The profile folder, again if a file went away while it was being walked. */
  private void deleteProfile() throws IOException {
    for (int attempt = 1; ; attempt++) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        return;
      } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }
}
