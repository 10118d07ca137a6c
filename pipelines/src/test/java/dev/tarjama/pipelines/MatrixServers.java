package dev.tarjama.pipelines;

import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.JudgeAnswers;
import dev.tarjama.models.testing.TranslatorAnswers;
import dev.tarjama.transforms.translate.RedisServer;
import java.util.ArrayList;
import java.util.List;

/**
 * The real loopback servers the matrix's scenarios call, each started on first use and shared by
 * every scenario and runner: two deterministic translators (an OpenAI chat endpoint with Hala's
 * prompt, a completions endpoint with Seed-X's), a judge that knows the Tatoeba pairs, and a Redis
 * for the cluster runs' cache (one database per cluster run, so every run starts empty). A new
 * server is one more lazily started field here.
 */
final class MatrixServers implements AutoCloseable {
  /** Redis's default database count: at most this many cluster runs use the cache. */
  private static final int REDIS_DATABASES = 16;

  private static MatrixServers shared;

  private final List<AutoCloseable> started = new ArrayList<>();
  private FakeOpenAiServer chat;
  private FakeOpenAiServer completions;
  private FakeOpenAiServer judge;
  private FakeOpenAiServer looping;
  private FakeOpenAiServer qeJudge;
  private RedisServer redis;
  private int nextDatabase;

  /**
   * The servers the command tests share (one set per test JVM, never closed: their threads are
   * daemons), so that a test class need not start and stop its own.
   */
  static synchronized MatrixServers shared() {
    if (shared == null) {
      shared = new MatrixServers();
    }
    return shared;
  }

  /** Requests the two translators ({@link #chatBackend}, {@link #completionsBackend}) received. */
  synchronized int translatorRequests() {
    chatBackend();
    completionsBackend();
    return chat.requestCount() + completions.requestCount();
  }

  /** {@code --backend=…} for the chat translator, labelled like SmolKalam's Gemma source. */
  synchronized String chatBackend() {
    if (chat == null) {
      chat = keep(() -> FakeOpenAiServer.builder()
          .promptPrefix(TranslatorAnswers.HALA_PREFIX).start());
    }
    return "--backend=name=gemma,kind=openai-chat,url=" + chat.baseUrl()
        + ",model=gemma-3-27b,prompt=hala,k=1,label=SFT_Gemma3_ranked";
  }

  /** {@code --backend=…} for the completions translator: two seeded candidates per chunk. */
  synchronized String completionsBackend() {
    if (completions == null) {
      completions = keep(() -> FakeOpenAiServer.builder()
          .promptPrefix(TranslatorAnswers.SEED_X_PREFIX)
          .promptSuffix(TranslatorAnswers.SEED_X_SUFFIX)
          .start());
    }
    return "--backend=name=seedx,kind=openai-completions,url=" + completions.baseUrl()
        + ",model=seed-x,prompt=seed-x,k=2,candidates=seeds,label=SFT_SeedX_ranked";
  }

  /** The chat translator's base URL, for specs other than {@code --backend} (evaluate's). */
  synchronized String chatUrl() {
    chatBackend();
    return chat.baseUrl();
  }

  /** {@code --backend=…} for the judge: right on every Tatoeba pair. */
  synchronized String judgeBackend() {
    if (judge == null) {
      judge = keep(() -> FakeOpenAiServer.builder()
          .judge(JudgeAnswers.of(JudgeAnswers.tatoebaReferences(DataKit.tatoeba()))).start());
    }
    return "--backend=name=judge,url=" + judge.baseUrl()
        + ",model=qwen2.5-judge,retries=2,backoff=10ms,temperature=0,max-tokens=8";
  }

  /**
   * {@code --backend=…} for a translator that loops: the chat translator's answer (another
   * variant) with its last word repeated ten times, as a small model stuck in a loop answers.
   * Every one of its candidates must fail the {@code repetition} gate.
   */
  synchronized String loopingBackend() {
    if (looping == null) {
      looping = keep(() -> FakeOpenAiServer.builder()
          .promptPrefix(TranslatorAnswers.HALA_PREFIX)
          .route("looper", text -> new FakeOpenAiServer.Answer(looped(text), "stop"))
          .start());
    }
    return "--backend=name=looper,kind=openai-chat,url=" + looping.baseUrl("looper")
        + ",model=tiny-looper,prompt=hala,k=1";
  }

  /** The looping translator's answer to {@code english}. */
  static String looped(String english) {
    String translated = TranslatorAnswers.translate(english.strip(), 1);
    String[] words = translated.split("\\s+");
    String last = words[words.length - 1].replaceAll("\\p{P}", "");
    return translated + (" " + last).repeat(10);
  }

  /**
   * {@code --qe-judge=…}: a judge whose verdicts are scripted: it accepts exactly the Arabic in
   * {@code faithful} for each English chunk (first call decides; every scenario using it must
   * pass the same map).
   */
  synchronized String qeJudge(java.util.Map<String, java.util.Set<String>> faithful) {
    if (qeJudge == null) {
      qeJudge = keep(() -> FakeOpenAiServer.builder().judge(JudgeAnswers.of(faithful)).start());
    }
    return "--qe-judge=name=qe,url=" + qeJudge.baseUrl() + ",model=qwen2.5-judge,temperature=0";
  }

  /**
   * {@code --backend=…} for an OpenAI-style batch API (files and batches on loopback) whose lines
   * the chat translator answers: the same translations as {@link #chatBackend()}, through the
   * launcher's batch phase and the cache.
   */
  synchronized String batchBackend() {
    chatBackend();
    return "--backend=name=gemma-batch,kind=openai-batch,url=" + chat.batches().baseUrl()
        + ",model=gemma-3-27b,prompt=hala,k=1,price-in=0.1,price-out=0.4,batch-discount=0.5,"
        + "label=SFT_Gemma3_batch";
  }

  /** {@code --cache=redis://…}: a database no run has used yet. */
  synchronized String freshRedisCache() {
    if (redis == null) {
      redis = keep(RedisServer::start);
    }
    if (nextDatabase == REDIS_DATABASES) {
      throw new IllegalStateException("more cluster runs with a cache than Redis databases");
    }
    return "--cache=" + redis.uri(nextDatabase++);
  }

  @FunctionalInterface
  private interface Start<T> {
    T start() throws Exception;
  }

  /** Starts a server and keeps it for {@link #close()}; a failed start fails the caller. */
  private <T extends AutoCloseable> T keep(Start<T> start) {
    T server;
    try {
      server = start.start();
    } catch (Exception e) {
      throw new IllegalStateException("a loopback server of the matrix did not start", e);
    }
    started.add(server);
    return server;
  }

  @Override
  public synchronized void close() throws Exception {
    for (AutoCloseable server : started) {
      server.close();
    }
    started.clear();
  }
}
