package dev.tarjama.models.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tarjama.models.serve.ApiRequest.Endpoint;
import dev.tarjama.models.serve.FairJobQueue.Job;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A started {@link TranslationServer}: the bound port, live {@link #stats()}, and {@link #close()}
 * to stop it (the translator stays open: it belongs to the caller).
 */
public final class RunningServer implements AutoCloseable {
  static {
    // Without TCP_NODELAY a keep-alive answer waits for the client's delayed ACK. The JDK server
    // reads this once, when its first server is made; a value the user set is kept.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Bytes of an oversized body read and thrown away so the client sees the 413, not a reset. */
  private static final long DRAIN_LIMIT = 16L << 20;

  private static final String HEALTH = "/health";
  private static final String MODELS = "/v1/models";
  private static final String CHAT = "/v1/chat/completions";
  private static final String COMPLETIONS = "/v1/completions";

  private final TranslationServer config;
  private final HttpServer http;
  private final ThreadPoolExecutor handlers;
  private final MicroBatcher batcher;
  private final PromptUnwrapper unwrapper;
  private final DecodingPolicy decodingPolicy;
  private final byte[] keyBytes;
  private final long startedAt = Instant.now().getEpochSecond();
  private final AtomicLong completionRequests = new AtomicLong();
  private final AtomicLong refusedRequests = new AtomicLong();

  RunningServer(TranslationServer config) throws IOException {
    this.config = config;
    this.unwrapper = new PromptUnwrapper(config.promptTemplates());
    this.decodingPolicy = new DecodingPolicy(config.decoding());
    this.keyBytes =
        config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);
    this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
    AtomicInteger threadNo = new AtomicInteger();
    this.handlers =
        new ThreadPoolExecutor(
            config.handlerThreads(),
            config.handlerThreads(),
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(config.maxQueuedRequests()),
            r -> {
              Thread t = new Thread(r, "tarjama-serve-http-" + threadNo.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    handlers.allowCoreThreadTimeOut(true);
    this.batcher =
        new MicroBatcher(
            config.translator(),
            config.maxBatch(),
            config.maxBatchDelay(),
            config.modelThreads(),
            config.maxQueuedTexts(),
            config.requestTimeout());
    http.createContext("/", this::handle);
    http.setExecutor(handlers);
    http.start();
  }

  /** The bound port (the free one picked when the configuration said 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /** The API root clients use as their base URL, e.g. {@code http://127.0.0.1:8000/v1}. */
  public String baseUrl() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return "http://" + host + ":" + port() + "/v1";
  }

  public String modelName() {
    return config.modelName();
  }

  public ServerStats stats() {
    return new ServerStats(
        completionRequests.get(),
        batcher.translateCalls(),
        batcher.sourcesTranslated(),
        batcher.largestBatch(),
        batcher.queuedTexts(),
        batcher.cancelledTexts(),
        refusedRequests.get());
  }

  /** Stops accepting, fails waiting requests with 503, and stops the threads. */
  @Override
  public void close() {
    http.stop(0);
    batcher.close();
    handlers.shutdownNow();
  }

  // ---------------------------------------------------------------------------------------------

  private void handle(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    try {
      route(exchange, method, path);
    } catch (ApiError e) {
      config.log().accept(e.status + " " + method + " " + path + ": " + e.getMessage());
      sendError(exchange, e);
    } catch (IOException e) {
      // The client went away mid-request or mid-response: nobody to answer.
      config.log().accept("I/O error on " + method + " " + path + ": " + e);
    } catch (RuntimeException e) {
      config.log().accept("500 " + method + " " + path + ": " + describe(e));
      sendError(
          exchange, new ApiError(500, "server_error", null, null, "internal error: " + describe(e)));
    } finally {
      exchange.close();
    }
  }

  private void route(HttpExchange exchange, String method, String path) throws IOException {
    switch (path) {
      case HEALTH -> {
        allow(method, "GET");
        ObjectNode body = JSON.createObjectNode().put("status", "ok").put("model", config.modelName());
        send(exchange, 200, body);
      }
      case MODELS -> {
        allow(method, "GET");
        authorize(exchange);
        ObjectNode body = JSON.createObjectNode().put("object", "list");
        body.putArray("data")
            .addObject()
            .put("id", config.modelName())
            .put("object", "model")
            .put("created", startedAt)
            .put("owned_by", "tarjama");
        send(exchange, 200, body);
      }
      case CHAT -> complete(exchange, method, Endpoint.CHAT);
      case COMPLETIONS -> complete(exchange, method, Endpoint.COMPLETIONS);
      default -> throw new ApiError(404, "not_found_error", null, null, "no such endpoint: " + path);
    }
  }

  private static void allow(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw ApiError.methodNotAllowed(method, allowed);
    }
  }

  private void authorize(HttpExchange exchange) {
    if (keyBytes == null) {
      return;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    byte[] given = new byte[0];
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    }
    // Constant-time comparison: response timing must not reveal how much of a guess was right.
    if (!MessageDigest.isEqual(given, keyBytes)) {
      throw new ApiError(
          401,
          "authentication_error",
          null,
          "invalid_api_key",
          "missing or wrong API key: send Authorization: Bearer <key>");
    }
  }

  private void complete(HttpExchange exchange, String method, Endpoint endpoint) throws IOException {
    allow(method, "POST");
    authorize(exchange);
    byte[] body = readBody(exchange);
    ApiRequest request = ApiRequest.parse(endpoint, body, config.maxCandidates());
    if (request.model() != null && !request.model().equals(config.modelName())) {
      throw new ApiError(
          404,
          "invalid_request_error",
          "model",
          "model_not_found",
          "model '" + request.model() + "' is not served here; this server serves '"
              + config.modelName() + "'");
    }
    if (request.prompts().size() > config.maxPrompts()) {
      throw new ApiError(400, "invalid_request_error", "prompt", "too_many_prompts",
          "prompt has " + request.prompts().size() + " prompts; this server takes at most "
              + config.maxPrompts() + " per request: send them in several requests");
    }
    Decoding decoding = decodingPolicy.forRequest(request);
    List<String> texts = new ArrayList<>(request.prompts().size());
    for (String prompt : request.prompts()) {
      texts.add(unwrapper.unwrap(prompt).text());
    }
    int maxTokens = request.maxTokens() == null ? Integer.MAX_VALUE : request.maxTokens();
    Job job = batcher.submit(texts, decoding, maxTokens);
    if (job == null) {
      refusedRequests.incrementAndGet();
      int seconds = batcher.retryAfterSeconds();
      throw ApiError.queueFull(seconds,
          "the server's queue is full (" + config.maxQueuedTexts() + " texts); retry after "
              + seconds + " s");
    }
    completionRequests.incrementAndGet();
    List<List<Translation>> results = await(job.result);
    for (List<Translation> candidates : results) {
      if (candidates == null || candidates.size() != request.n()) {
        throw new ApiError(500, "server_error", null, null,
            "the model returned " + (candidates == null ? 0 : candidates.size())
                + " candidates where " + request.n() + " were asked for");
      }
    }
    send(exchange, 200, response(request, results));
  }

  private List<List<Translation>> await(CompletableFuture<List<List<Translation>>> future) {
    long timeoutMs = config.requestTimeout().toMillis();
    try {
      return future.get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // Nobody waits for the rest: its texts not yet run are dropped from the queue.
      future.cancel(false);
      throw new ApiError(503, "server_error", null, null,
          "the model did not answer within " + timeoutMs + " ms");
    } catch (InterruptedException e) {
      future.cancel(false);
      Thread.currentThread().interrupt();
      throw new ApiError(503, "server_error", null, null, "the server is shutting down");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof TimeoutException) {
        throw new ApiError(503, "server_error", null, null,
            "the model did not answer within " + timeoutMs + " ms");
      }
      if (cause instanceof RejectedExecutionException) {
        throw new ApiError(503, "server_error", null, null, "the server is shutting down");
      }
      throw new ApiError(500, "server_error", null, null, "the model failed: " + describe(cause));
    }
  }

  private ObjectNode response(ApiRequest request, List<List<Translation>> results) {
    boolean chat = request.endpoint() == Endpoint.CHAT;
    ObjectNode root = JSON.createObjectNode();
    root.put("id", (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", ""));
    root.put("object", chat ? "chat.completion" : "text_completion");
    root.put("created", Instant.now().getEpochSecond());
    root.put("model", config.modelName());
    ArrayNode choices = root.putArray("choices");
    long promptTokens = 0;
    long completionTokens = 0;
    int index = 0;
    for (List<Translation> candidates : results) {
      promptTokens += candidates.get(0).sourceTokens();
      for (Translation t : candidates) {
        completionTokens += t.targetTokens();
        ObjectNode choice = choices.addObject();
        choice.put("index", index++);
        if (chat) {
          choice.putObject("message").put("role", "assistant").put("content", t.text());
        } else {
          choice.put("text", t.text());
          choice.putNull("logprobs");
        }
        // The model's own word: cut by max_tokens or by its length limit, or ended by itself.
        choice.put("finish_reason", t.truncated() ? "length" : "stop");
      }
    }
    root.putObject("usage")
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
    return root;
  }

  /** The body, at most the configured size; larger → 413 (after draining, so the client hears it). */
  private byte[] readBody(HttpExchange exchange) throws IOException {
    int max = config.maxRequestBytes();
    InputStream in = exchange.getRequestBody();
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.strip());
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("Content-Length is not a number");
      }
      if (declared > max) {
        drain(in);
        throw tooLarge(max);
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream(Math.min(max, 64 << 10));
    byte[] buffer = new byte[16 << 10];
    int read;
    while ((read = in.read(buffer)) >= 0) {
      body.write(buffer, 0, read);
      if (body.size() > max) {
        drain(in);
        throw tooLarge(max);
      }
    }
    return body.toByteArray();
  }

  private static ApiError tooLarge(int max) {
    return new ApiError(413, "invalid_request_error", null, "request_too_large",
        "request body is larger than " + max + " bytes");
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[64 << 10];
    long drained = 0;
    int read;
    while (drained < DRAIN_LIMIT && (read = in.read(buffer)) >= 0) {
      drained += read;
    }
  }

  private void sendError(HttpExchange exchange, ApiError e) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode error = body.putObject("error");
    error.put("message", e.getMessage());
    error.put("type", e.type);
    error.put("param", e.param);
    error.put("code", e.code);
    if (e.status == 401) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
    } else if (e.allow != null) {
      exchange.getResponseHeaders().set("Allow", e.allow);
    } else if (e.retryAfter > 0) {
      exchange.getResponseHeaders().set("Retry-After", Integer.toString(e.retryAfter));
    }
    try {
      send(exchange, e.status, body);
    } catch (IOException io) {
      config.log().accept("I/O error sending a " + e.status + ": " + io);
    }
  }

  private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage() == null ? "" : ": " + e.getMessage().replaceAll("\\s+", " ");
    if (message.length() > 300) {
      message = message.substring(0, 300) + "…";
    }
    return e.getClass().getSimpleName() + message;
  }

  @Override
  public String toString() {
    return "RunningServer{" + config.modelName() + " at " + baseUrl() + "}";
  }
}
