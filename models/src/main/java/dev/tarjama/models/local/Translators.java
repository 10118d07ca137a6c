package dev.tarjama.models.local;

import dev.tarjama.models.onnx.ExecutionProvider;
import dev.tarjama.models.onnx.MarianModelConfig;
import dev.tarjama.models.onnx.MarianTranslators;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Opens the local {@link Translator} a model directory holds, by the layout of its files. This is
 * the one place that knows which layouts this build can run; {@code tarjama serve} and the local
 * translate backend both open models through it.
 *
 * <p>Layouts:
 *
 * <ul>
 *   <li>{@link Layout#MARIAN_ONNX}: a seq2seq export as HF optimum writes it (Opus-MT, NLLB, the
 *       bundled tiny models): {@code encoder_model.onnx} + {@code decoder_model.onnx}
 *       (+ {@code decoder_with_past_model.onnx}), {@code config.json}, and a tokenizer.
 * </ul>
 */
public final class Translators {
  /** The model layouts {@link #detect} recognises. */
  public enum Layout {
    MARIAN_ONNX("a Marian-layout ONNX export (encoder_model.onnx + decoder_model.onnx)");

    private final String description;

    Layout(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  private Translators() {}

  /**
   * Loads the model in {@code modelDir} on {@code provider}.
   *
   * @throws IllegalArgumentException when the directory does not exist, or holds no layout this
   *     build can run (the message says what was expected and what was found)
   */
  public static Translator open(Path modelDir, ExecutionProvider provider) {
    Layout layout = detect(modelDir);
    switch (layout) {
      case MARIAN_ONNX:
        MarianModelConfig config = MarianModelConfig.of(modelDir);
        // One loaded model per JVM and configuration, released when the caller closes it.
        return MarianTranslators.acquire(
            provider == ExecutionProvider.CUDA ? config.withCuda(0) : config.withCpu());
      default:
        throw new AssertionError(layout);
    }
  }

  /**
   * The layout of {@code modelDir}.
   *
   * @throws IllegalArgumentException when it is not a directory or matches no known layout
   */
  public static Layout detect(Path modelDir) {
    if (!Files.isDirectory(modelDir)) {
      throw new IllegalArgumentException("model directory does not exist: " + modelDir);
    }
    if (Files.isRegularFile(modelDir.resolve("encoder_model.onnx"))
        && Files.isRegularFile(modelDir.resolve("decoder_model.onnx"))) {
      return Layout.MARIAN_ONNX;
    }
    throw new IllegalArgumentException(
        "unsupported model layout in "
            + modelDir
            + ": expected "
            + Layout.MARIAN_ONNX.description()
            + "; found "
            + listing(modelDir));
  }

  private static String listing(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      if (names.isEmpty()) {
        return "an empty directory";
      }
      int shown = Math.min(names.size(), 12);
      return String.join(", ", names.subList(0, shown))
          + (names.size() > shown ? " and " + (names.size() - shown) + " more" : "");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list model directory " + dir, e);
    }
  }
}
