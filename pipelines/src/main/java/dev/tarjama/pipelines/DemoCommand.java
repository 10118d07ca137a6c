package dev.tarjama.pipelines;

import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.models.serve.RunningServer;
import dev.tarjama.models.serve.TranslationServer;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.SentenceWiseTranslator;
import dev.tarjama.models.local.Translator;
import dev.tarjama.models.local.Translators;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tarjama demo}: the embedded default, a real two-backend translate run with no GPU and no
 * API key. Tiny model A translates in-process through ONNX Runtime; tiny model B is served by
 * {@code tarjama serve} on loopback and reached through the OpenAI-compatible API backend, exactly
 * as a GPU box would serve a pipeline. Any {@code translate} option can follow and overrides the
 * defaults.
 */
final class DemoCommand {
  static final String INPUT = "../shared/data/instruct/smoltalk2_style/*.jsonl";
  static final String OUTPUT = "out/demo";
  static final String MODELS = "testdata/models";
  static final String TOKENIZER = "../shared/models/tokenizers/qwen3/tokenizer.json";

  private DemoCommand() {}

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    return run(args, out, err, Path.of(MODELS));
  }

  /** With the bundled models looked up in {@code models} (the repository's testdata/models). */
  static int run(String[] args, PrintStream out, PrintStream err, Path models) throws Exception {
    Path modelA = models.resolve("tiny-en-ar-a");
    Path modelB = models.resolve("tiny-en-ar-b");
    if (!Files.isDirectory(modelA) || !Files.isDirectory(modelB)) {
      err.println("tarjama demo: run it from the repository root: the bundled models are in "
          + models.toAbsolutePath());
      return 2;
    }
    Translator served =
        new SentenceWiseTranslator(Translators.open(modelB, ExecutionProvider.CPU));
    try (RunningServer server =
        TranslationServer.over(served, "tiny-en-ar-b")
            .withPort(0)
            .withPromptTemplates(List.of(PromptTemplate.named("hala")))
            .withDecoding(Decoding.greedy())
            .start()) {
      out.println("tarjama demo: tiny-en-ar-b served on " + server.baseUrl()
          + "; tiny-en-ar-a runs in-process (ONNX Runtime, CPU). Demo-quality models: short"
          + " everyday sentences only.");
      List<String> translate = new ArrayList<>(List.of(
          "--input=" + INPUT,
          "--output=" + OUTPUT,
          "--backend=name=tiny-a,kind=local,path=" + modelA + ",k=2,decoding=beam:4,label=tiny_a_local",
          "--backend=name=tiny-b,kind=openai-chat,url=" + server.baseUrl()
              + ",model=tiny-en-ar-b,prompt=hala,k=1,concurrency=8,label=tiny_b_served"));
      if (Files.exists(Path.of(TOKENIZER))) {
        translate.add("--tokenizer=" + TOKENIZER);
      }
      // A user's own option replaces the demo's default of the same name; --backend adds one.
      java.util.Set<String> given = new java.util.HashSet<>();
      for (String arg : args) {
        if (arg.startsWith("--")) {
          int eq = arg.indexOf('=');
          given.add(CommandLine.camelCase(eq < 0 ? arg.substring(2) : arg.substring(2, eq)));
        }
      }
      translate.removeIf(d -> {
        String name = CommandLine.camelCase(d.substring(2, d.indexOf('=')));
        return !name.equals("backend") && given.contains(name);
      });
      translate.addAll(List.of(args));
      return TranslateCommand.run(translate.toArray(String[]::new), out, err);
    } finally {
      served.close();
    }
  }
}
