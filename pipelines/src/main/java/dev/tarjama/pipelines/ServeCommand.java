package dev.tarjama.pipelines;

import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.serve.RunningServer;
import dev.tarjama.models.serve.TranslationServer;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.SentenceWiseTranslator;
import dev.tarjama.models.local.Translator;
import dev.tarjama.models.local.Translators;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code tarjama serve}: an OpenAI-compatible HTTP server ({@link TranslationServer}) over a local
 * model, so one GPU box serves many pipeline workers through their API backend. Prints one line
 * with the URL when it listens, then serves until the process is killed.
 */
final class ServeCommand {
  /** Options of {@code tarjama serve}. */
  public interface ServeOptions extends PipelineOptions {
    @Description("Model directory: an ONNX seq2seq export (encoder_model.onnx, decoder_model.onnx, "
        + "config.json, tokenizer), e.g. Helsinki-NLP/opus-mt-en-ar exported with optimum")
    String getModel();

    @Description("Cut each text at line breaks, placeholders and sentence ends before the model sees it (sentence-level MT models need it; turn off for an LLM)")
    @Default.Boolean(true)
    boolean getSentenceWise();

    void setSentenceWise(boolean value);

    void setModel(String value);

    @Description("The model name clients send (the request's model field); default: the model "
        + "directory's name")
    String getServedModelName();

    void setServedModelName(String value);

    @Description("Interface to bind: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)")
    @Default.String("127.0.0.1")
    String getHost();

    void setHost(String value);

    @Description("Port to listen on; 0 picks a free one")
    @Default.Integer(8000)
    int getPort();

    void setPort(int value);

    @Description("Prompt templates stripped from prompts before translation: hala, seed-x, "
        + "file:PATH, comma-separated, or none (default: hala,seed-x)")
    List<String> getPrompt();

    void setPrompt(List<String> value);

    @Description("Decoding when a request does not set temperature: greedy, beam:WIDTH, sample")
    @Default.String("greedy")
    String getDecoding();

    void setDecoding(String value);

    @Description("Name of the environment variable holding the API key clients must send as "
        + "Authorization: Bearer KEY; unset: no key")
    String getKeyEnv();

    void setKeyEnv(String value);

    @Description("Execution provider: cpu or cuda")
    @Default.String("cpu")
    String getProvider();

    void setProvider(String value);

    @Description("Most texts in one model batch")
    @Default.Integer(32)
    int getMaxBatch();

    void setMaxBatch(int value);

    @Description("Milliseconds a batch waits for more requests after its first one")
    @Default.Integer(5)
    int getMaxBatchDelayMs();

    void setMaxBatchDelayMs(int value);

    @Description("Model batches that may run at once (1 for a GPU)")
    @Default.Integer(1)
    int getModelThreads();

    void setModelThreads(int value);

    @Description("Requests handled at once (each waits for its batch)")
    @Default.Integer(64)
    int getRequestThreads();

    void setRequestThreads(int value);

    @Description("Largest n (candidates) a request may ask for")
    @Default.Integer(16)
    int getMaxCandidates();

    void setMaxCandidates(int value);

    @Description("Largest request body in bytes (larger: 413)")
    @Default.Integer(1 << 20)
    int getMaxRequestBytes();

    void setMaxRequestBytes(int value);

    @Description("Most prompts in one /v1/completions request (more: 400 naming the limit)")
    @Default.Integer(256)
    int getMaxPrompts();

    void setMaxPrompts(int value);

    @Description("Most texts waiting for the model over all requests; a request whose texts do "
        + "not fit gets 429 with Retry-After (at least --max-prompts)")
    @Default.Integer(4096)
    int getMaxQueuedTexts();

    void setMaxQueuedTexts(int value);

    @Description("Seconds a request waits for its translation (then 503, and its texts not yet "
        + "run are dropped)")
    @Default.Integer(600)
    int getRequestTimeoutS();

    void setRequestTimeoutS(int value);
  }

  /** A started server and the model it owns; closing stops the server, then frees the model. */
  record Serving(RunningServer server, Translator translator) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
      translator.close();
    }
  }

  /** A command-line or configuration error: exit code 2 with this message. */
  static final class UsageError extends Exception {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message);
    }
  }

  private ServeCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    Serving serving;
    try {
      serving = start(args, out, err, System::getenv, Translators::open);
    } catch (UsageError e) {
      err.println("tarjama serve: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("tarjama serve: cannot listen: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(serving::close, "tarjama-serve-shutdown"));
    new CountDownLatch(1).await(); // serve until killed; the hook stops the server
    return 0;
  }

  /**
   * Parses {@code args}, opens the model with {@code opener} and starts the server; prints the
   * listening line to {@code out} and error lines to {@code err}.
   *
   * @param environment where {@code --key-env} is looked up (the process environment in {@link
   *     #run})
   * @throws UsageError for a bad option or a model that cannot be loaded
   * @throws IOException when the port cannot be bound
   */
  static Serving start(
      String[] args,
      PrintStream out,
      PrintStream err,
      Function<String, String> environment,
      BiFunction<Path, ExecutionProvider, Translator> opener)
      throws UsageError, IOException {
    PipelineOptionsFactory.register(ServeOptions.class);
    ServeOptions options;
    try {
      options =
          PipelineOptionsFactory.fromArgs(CommandLine.parse(args, "").beamArgs).as(ServeOptions.class);
    } catch (IllegalArgumentException e) {
      throw new UsageError(e.getMessage());
    }
    if (options.getModel() == null || options.getModel().isBlank()) {
      throw new UsageError("give --model=DIR (an ONNX seq2seq export)");
    }
    Path modelDir = Path.of(options.getModel()).toAbsolutePath().normalize();
    ExecutionProvider provider;
    Decoding decoding;
    List<PromptTemplate> templates;
    try {
      provider = ExecutionProvider.parse(options.getProvider());
      decoding = TranslationServer.parseDecoding(options.getDecoding());
      templates = templates(options.getPrompt());
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new UsageError(e.getMessage());
    }
    if (options.getMaxPrompts() < 1) {
      throw new UsageError("--max-prompts must be at least 1: " + options.getMaxPrompts());
    }
    if (options.getMaxQueuedTexts() < options.getMaxPrompts()) {
      throw new UsageError("--max-queued-texts (" + options.getMaxQueuedTexts()
          + ") must be at least --max-prompts (" + options.getMaxPrompts()
          + "): a request of the most prompts must fit in the queue");
    }
    if (options.getRequestTimeoutS() < 1) {
      throw new UsageError("--request-timeout-s must be at least 1: " + options.getRequestTimeoutS());
    }
    String key = null;
    if (options.getKeyEnv() != null && !options.getKeyEnv().isBlank()) {
      String name = options.getKeyEnv().strip();
      key = environment.apply(name);
      if (key == null || key.isBlank()) {
        throw new UsageError("--key-env names " + name + ", but that environment variable is not set");
      }
      key = key.strip();
    }
    String name =
        options.getServedModelName() != null
            ? options.getServedModelName()
            : modelDir.getFileName() == null ? "model" : modelDir.getFileName().toString();

    if (key == null && !isLoopback(options.getHost())) {
      err.println("tarjama serve: warning: --host=" + options.getHost() + " is reachable from other"
          + " machines and no --key-env is set: anyone who reaches the port can use the model");
    }

    // Options are checked above, before the model loads: a typo should not cost a model load.
    Translator translator;
    try {
      translator = opener.apply(modelDir, provider);
      if (options.getSentenceWise()) {
        translator = new SentenceWiseTranslator(translator);
      }
    } catch (RuntimeException e) {
      throw new UsageError("cannot load the model in " + modelDir + ": " + e.getMessage());
    }
    RunningServer server;
    try {
      server =
          TranslationServer.over(translator, name)
              .withHost(options.getHost())
              .withPort(options.getPort())
              .withPromptTemplates(templates)
              .withDecoding(decoding)
              .withApiKey(key)
              .withBatching(options.getMaxBatch(), Duration.ofMillis(options.getMaxBatchDelayMs()))
              .withModelThreads(options.getModelThreads())
              .withRequestThreads(options.getRequestThreads(), 1024)
              .withMaxCandidates(options.getMaxCandidates())
              .withMaxRequestBytes(options.getMaxRequestBytes())
              .withLimits(options.getMaxPrompts(), options.getMaxQueuedTexts())
              .withRequestTimeout(Duration.ofSeconds(options.getRequestTimeoutS()))
              .withLog(line -> err.println("tarjama serve: " + line))
              .start();
    } catch (IllegalArgumentException e) {
      translator.close();
      throw new UsageError(e.getMessage());
    } catch (IOException e) {
      translator.close();
      throw new IOException(options.getHost() + ":" + options.getPort() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      translator.close();
      throw e;
    }
    out.println(
        "tarjama serve: "
            + name
            + " ("
            + translator.describe()
            + ") listening on "
            + server.baseUrl()
            + (key == null ? "" : ", key from $" + options.getKeyEnv().strip() + " required"));
    out.flush();
    return new Serving(server, translator);
  }

  /** Whether {@code host} is this machine only (127.0.0.0/8, ::1, a name that resolves there). */
  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false; // binding fails later and says so
    }
  }

  private static List<PromptTemplate> templates(List<String> specs) {
    if (specs == null) {
      // Every shipped template, so that a pipeline using any of them reaches the model unwrapped.
      return PromptTemplate.names().stream().map(PromptTemplate::named).toList();
    }
    List<PromptTemplate> out = new ArrayList<>();
    for (String spec : specs) {
      if (spec.isBlank() || spec.strip().equals("none")) {
        continue;
      }
      out.add(PromptTemplate.resolve(spec.strip()));
    }
    return out;
  }
}
