package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.BackendException;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.serve.ServerStats;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import dev.tarjama.models.local.Translator;
import dev.tarjama.models.local.Translators;
import dev.tarjama.models.testing.TranslatorAnswers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tarjama serve} as the command line starts it, with a small deterministic model in place
 * of an ONNX export (the real model is opened through the same {@code Translators.open} seam):
 * spoken to by a plain HTTP client, the project's API client, and a whole {@code tarjama
 * translate} run.
 */
class ServeCommandTest {
  /**
   * Translates like the loopback test server: Latin letters to Arabic ones, placeholders kept, so
   * pipeline validation passes. Candidate i is variant i (beam) or seed+i (sampling).
   */
  static final class LetterModel implements Translator {
    @Override
    public List<List<Translation>> translate(List<String> sources, Decoding decoding) {
      List<List<Translation>> out = new ArrayList<>();
      for (String source : sources) {
        List<Translation> candidates = new ArrayList<>();
        for (int i = 0; i < decoding.candidates(); i++) {
          int variant =
              decoding.strategy() == Decoding.Strategy.SAMPLE ? (int) decoding.seed() + i : i;
          String text = TranslatorAnswers.translate(source, variant);
          candidates.add(new Translation(text, countSourceTokens(source), countSourceTokens(text)));
        }
        out.add(candidates);
      }
      return out;
    }

    @Override
    public int countSourceTokens(String text) {
      return text.isBlank() ? 0 : text.strip().split("\\s+").length;
    }

    @Override
    public String describe() {
      return "letter model (test)";
    }

    @Override
    public void close() {}
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private ServeCommand.Serving start(
      Map<String, String> env, BiFunction<Path, ExecutionProvider, Translator> opener, String... args)
      throws Exception {
    return ServeCommand.start(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        env::get,
        opener);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void servesTheModelItOpensAndPrintsOneListeningLine(@TempDir Path tmp) throws Exception {
    Path modelDir = Files.createDirectories(tmp.resolve("tiny-b"));
    AtomicReference<Path> opened = new AtomicReference<>();
    AtomicReference<ExecutionProvider> provider = new AtomicReference<>();
    BiFunction<Path, ExecutionProvider, Translator> opener =
        (dir, p) -> {
          opened.set(dir);
          provider.set(p);
          return new LetterModel();
        };
    try (ServeCommand.Serving serving =
        start(Map.of(), opener, "--model=" + modelDir, "--port=0", "--provider=CUDA",
            "--prompt=hala", "--decoding=beam:4")) {
      assertEquals(modelDir, opened.get());
      assertEquals(ExecutionProvider.CUDA, provider.get());
      String url = serving.server().baseUrl();
      assertTrue(url.matches("http://127\\.0\\.0\\.1:\\d+/v1"), url);
      assertEquals(
          "tarjama serve: tiny-b (letter model (test), sentence by sentence) listening on " + url + "\n", out());

      HttpResponse<String> models =
          HTTP.send(HttpRequest.newBuilder(URI.create(url + "/models")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertTrue(models.body().contains("\"id\":\"tiny-b\""), models.body());

      // The served name defaults to the model directory's name; the hala wrapper is stripped.
      OpenAiCompatibleClient client = OpenAiCompatibleClient.create(BackendConfig.of(url, "tiny-b"));
      String text = "Where is the station?";
      Completion c = client.translate(PromptTemplate.named("hala").render(text), 3).join();
      assertEquals(
          List.of(
              TranslatorAnswers.translate(text, 0),
              TranslatorAnswers.translate(text, 1),
              TranslatorAnswers.translate(text, 2)),
          c.texts());
      assertEquals(4, c.promptTokens());
      client.close();
    }
  }

  @Test
  void servesTheBundledTinyModelThroughOnnxRuntime() throws Exception {
    Path model = Path.of(System.getProperty("tarjama.testdata")).resolve("models/tiny-en-ar-b");
    try (ServeCommand.Serving serving =
        start(Map.of(), Translators::open, "--model=" + model, "--port=0", "--prompt=hala")) {
      OpenAiCompatibleClient client =
          OpenAiCompatibleClient.create(
              BackendConfig.of(serving.server().baseUrl(), "tiny-en-ar-b"));
      Completion c =
          client.translate(
                  PromptTemplate.named("hala").render("I am hungry.\nWhere is the station?"), 2)
              .join();
      assertEquals(2, c.texts().size());
      for (String text : c.texts()) {
        // Sentence-wise serving keeps the line break a seq2seq model would drop.
        assertEquals(2, text.split("\n").length, text);
        assertTrue(java.util.regex.Pattern.compile("\\p{IsArabic}{3,}").matcher(text).find(), text);
      }
      assertTrue(c.completionTokens() > 0);
      client.close();
    }
  }

  @Test
  void keyEnvRequiresTheKeyAndTheKeyIsPrintedNowhere(@TempDir Path tmp) throws Exception {
    String key = "sk-serve-cli-" + java.util.UUID.randomUUID();
    Map<String, String> env = Map.of("TARJAMA_SERVE_KEY", key);
    try (ServeCommand.Serving serving =
        start(env, (dir, p) -> new LetterModel(),
            "--model=" + tmp, "--port=0", "--served-model-name=m", "--key-env=TARJAMA_SERVE_KEY")) {
      String url = serving.server().baseUrl();
      assertTrue(out().contains("key from $TARJAMA_SERVE_KEY required"), out());

      BackendConfig config = BackendConfig.of(url, "m").withMaxAttempts(1);
      CompletionException e =
          assertThrows(CompletionException.class,
              () -> OpenAiCompatibleClient.create(config, Map.<String, String>of()::get)
                  .translate("Hello", 1).join());
      assertEquals(401, assertInstanceOf(BackendException.class, e.getCause()).status());
      Completion ok =
          OpenAiCompatibleClient.create(config.withApiKeyEnv("TARJAMA_SERVE_KEY"), env::get)
              .translate("Hello", 1)
              .join();
      assertEquals(List.of(TranslatorAnswers.translate("Hello", 0)), ok.texts());
    }
    assertTrue(err().contains("401 POST /v1/chat/completions"), err());
    assertFalse(out().contains(key) || err().contains(key));
  }

  @Test
  void tarjamaTranslateRunsAgainstTarjamaServe(@TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    int input = JobTest.copyHead(in, "instruct/smoltalk2_style/think_tools.jsonl", 12);
    Path out = tmp.resolve("out");
    try (ServeCommand.Serving serving =
        start(Map.of(), (dir, p) -> new LetterModel(), "--model=" + tmp.resolve("tiny-b"),
            "--port=0", "--max-batch-delay-ms=20")) {
      String backend = "--backend=name=tiny,kind=openai-chat,url=" + serving.server().baseUrl()
          + ",model=tiny-b,prompt=hala,k=2,label=SFT_Tiny_ranked";
      RunOutputs outputs = JobTest.line(
          "translate", "--input=" + in + "/*/*", "--output=" + out,
          "--tokenizer=" + JobTest.QWEN3, backend,
          // serve's plumbing, not the quality of its letter model: no gates
          "--policy=qe=off").runOnce();
      JsonNode counts = outputs.report().get("counts");
      assertEquals(input, counts.get("input").asInt());
      // serve says "length" only for an answer really cut: none is here, so every record is chosen.
      assertEquals(input, outputs.lines("chosen").size(), counts.toString());
      assertEquals(input, counts.get("chosen").asInt(), counts.toString());
      assertEquals(2 * input, outputs.lines("candidates").size());
      String assistant =
          outputs.lines("chosen").get(0).get("messages").get(1).get("content").asText();
      assertTrue(Pattern.compile("\\p{IsArabic}{3,}").matcher(assistant).find(), assistant);

      ServerStats stats = serving.server().stats();
      assertTrue(stats.completionRequests() >= input, stats.toString());
      assertTrue(stats.translateCalls() < stats.completionRequests(),
          "the pipeline's concurrent chunks share model batches: " + stats);
    }
  }

  @Test
  void everyInterfaceWithoutAKeyGetsOneWarningLine() throws Exception {
    try (ServeCommand.Serving serving =
        start(Map.of(), (dir, p) -> new LetterModel(), "--model=/tmp/tiny-b", "--port=0",
            "--host=0.0.0.0")) {
      List<String> warnings = err().lines().filter(l -> l.contains("warning")).toList();
      assertEquals(1, warnings.size(), err());
      assertTrue(warnings.get(0).startsWith("tarjama serve: warning: "), warnings.get(0));
      assertTrue(warnings.get(0).contains("0.0.0.0") && warnings.get(0).contains("--key-env"),
          warnings.get(0));
    }
    err.reset();
    try (ServeCommand.Serving loopback =
            start(Map.of(), (dir, p) -> new LetterModel(), "--model=/tmp/tiny-b", "--port=0");
        ServeCommand.Serving keyed =
            start(Map.of("K", "sk-warning-test"), (dir, p) -> new LetterModel(),
                "--model=/tmp/tiny-b", "--port=0", "--host=0.0.0.0", "--key-env=K")) {
      assertFalse(err().contains("warning"), err());
    }
  }

  @Test
  void boundsAreOptions() throws Exception {
    try (ServeCommand.Serving serving =
        start(Map.of(), (dir, p) -> new LetterModel(), "--model=/tmp/tiny-b", "--port=0",
            "--max-prompts=2", "--max-queued-texts=8", "--request-timeout-s=30")) {
      String body = "{\"prompt\": [\"One.\", \"Two.\", \"Three.\"]}";
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(serving.server().baseUrl() + "/completions"))
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("at most 2"), r.body());
    }
    String message = JobTest.line("serve", "--model=/tmp", "--max-prompts=10",
        "--max-queued-texts=5").exits(2).runOnce().stderr;
    // Checked before the model loads (/tmp is no model, and that is not what it says).
    assertTrue(message.contains("--max-queued-texts"), message);
  }

  @Test
  void badOptionsAndUnloadableModelsExitWith2AndSayWhy(@TempDir Path tmp) throws Exception {
    Path other = Files.createDirectories(tmp.resolve("not-a-model"));
    Files.writeString(other.resolve("weights.bin"), "x");
    Path marian = Files.createDirectories(tmp.resolve("opus-mt-en-ar"));
    Files.writeString(marian.resolve("encoder_model.onnx"), "");
    Files.writeString(marian.resolve("decoder_model.onnx"), "");
    String[][] cases = {
      {"--port=0"},
      {"--model=" + tmp.resolve("missing"), "--port=0"},
      {"--model=" + other, "--port=0"},
      {"--model=" + marian, "--port=0"},
      {"--model=" + marian, "--decoding=nucleus"},
      {"--model=" + marian, "--provider=tpu"},
      {"--model=" + marian, "--prompt=hala,alpaca"},
      {"--model=" + marian, "--key-env=TARJAMA_UNSET_KEY_VARIABLE"},
      {"--model=" + marian, "--no-such-option=1"},
    };
    String[] expected = {
      "give --model=DIR",
      "model directory does not exist: " + tmp.resolve("missing"),
      "unsupported model layout in " + other,
      marian.toString(),
      "unknown decoding 'nucleus'",
      "unknown execution provider 'tpu'",
      "unknown prompt template 'alpaca'",
      "TARJAMA_UNSET_KEY_VARIABLE",
      "noSuchOption",
    };
    for (int i = 0; i < cases.length; i++) {
      List<String> args = new ArrayList<>(List.of("serve"));
      args.addAll(List.of(cases[i]));
      // The run's name is its command line: a wrong exit names the case and what it printed.
      String message = JobTest.line(args).exits(2).runOnce().stderr;
      assertTrue(message.startsWith("tarjama serve: "), message);
      assertTrue(message.contains(expected[i]), message);
    }
  }

  @Test
  void aPortInUseExitsWith1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Exception e =
          assertThrows(java.io.IOException.class,
              () -> start(Map.of(), (dir, p) -> new LetterModel(), "--model=/tmp",
                  "--port=" + taken.getLocalPort()));
      assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getMessage());
    }
  }
}
