package dev.tarjama.models.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broken export fails at load with a message that names the broken file: each case copies the
 * tiny model B and breaks one file.
 */
class MarianLoadErrorsTest {
  @TempDir Path temp;

  private Path copyOfModel() throws IOException {
    Path source = TinyModels.model(TinyModels.B);
    Path dir = Files.createTempDirectory(temp, "model");
    try (Stream<Path> files = Files.list(source)) {
      for (Path file : files.toList()) {
        Files.copy(file, dir.resolve(file.getFileName()));
      }
    }
    return dir;
  }

  /** Loads {@code dir} through the shared cache, expecting a failure that names {@code file}. */
  private static ModelLoadException failure(Path dir, String file) {
    MarianModelConfig config = MarianModelConfig.of(dir);
    ModelLoadException e =
        assertThrows(ModelLoadException.class, () -> MarianTranslators.acquire(config).close());
    assertEquals(dir.resolve(file).toAbsolutePath().toString(), e.file());
    assertTrue(e.getMessage().contains(dir.resolve(file).toString()), e.getMessage());
    assertEquals(0, MarianTranslators.users(config), "a failed load must not stay cached");
    return e;
  }

  private static void garble(Path file) throws IOException {
    Files.write(file, "this is not what the loader expects\n".getBytes(StandardCharsets.UTF_8));
  }

  private static void truncate(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
  }

  @Test
  void missingOnnxFiles() throws IOException {
    for (String name : new String[] {"encoder_model.onnx", "decoder_model.onnx"}) {
      Path dir = copyOfModel();
      Files.delete(dir.resolve(name));
      assertTrue(failure(dir, name).getMessage().contains("not found"));
    }
  }

  @Test
  void corruptOnnxFiles() throws IOException {
    for (String name :
        new String[] {"encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx"}) {
      Path dir = copyOfModel();
      garble(dir.resolve(name));
      assertTrue(failure(dir, name).getMessage().contains("not a loadable ONNX model"));
      Path cut = copyOfModel();
      truncate(cut.resolve(name));
      failure(cut, name);
    }
  }

  @Test
  void missingOrCorruptTokenizerFiles() throws IOException {
    for (String name : new String[] {"source.spm", "target.spm", "vocab.json"}) {
      Path missing = copyOfModel();
      Files.delete(missing.resolve(name));
      assertTrue(failure(missing, name).getMessage().contains("not found"));
      Path corrupt = copyOfModel();
      garble(corrupt.resolve(name));
      failure(corrupt, name);
    }
    Path notAMap = copyOfModel();
    Files.writeString(notAMap.resolve("vocab.json"), "[\"</s>\", \"<unk>\"]");
    failure(notAMap, "vocab.json");
  }

  @Test
  void missingOrCorruptConfig() throws IOException {
    Path missing = copyOfModel();
    Files.delete(missing.resolve("config.json"));
    failure(missing, "config.json");
    Path corrupt = copyOfModel();
    truncate(corrupt.resolve("config.json"));
    assertTrue(failure(corrupt, "config.json").getMessage().contains("JSON"));
    Path corruptGeneration = copyOfModel();
    garble(corruptGeneration.resolve("generation_config.json"));
    failure(corruptGeneration, "generation_config.json");
  }

  @Test
  void graphsWithOtherInputOrOutputNamesAreNamedWithExpectedAndFound() throws IOException {
    Path encoderAsDecoder = copyOfModel();
    Files.copy(
        encoderAsDecoder.resolve("encoder_model.onnx"),
        encoderAsDecoder.resolve("decoder_model.onnx"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String message = failure(encoderAsDecoder, "decoder_model.onnx").getMessage();
    assertTrue(message.contains("expected inputs [input_ids, encoder_hidden_states]"), message);
    assertTrue(message.contains("found inputs [attention_mask, input_ids]"), message);
    assertTrue(message.contains("outputs [last_hidden_state]"), message);

    Path decoderAsWithPast = copyOfModel();
    Files.copy(
        decoderAsWithPast.resolve("decoder_model.onnx"),
        decoderAsWithPast.resolve("decoder_with_past_model.onnx"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    message = failure(decoderAsWithPast, "decoder_with_past_model.onnx").getMessage();
    assertTrue(message.contains("expected past_key_values.* inputs"), message);
    assertTrue(message.contains("encoder_hidden_states"), message);
  }

  @Test
  void withoutTheKvCacheFileTheFullPrefixPathRuns() throws IOException {
    Path dir = copyOfModel();
    Files.delete(dir.resolve("decoder_with_past_model.onnx"));
    try (MarianTranslators.Lease lease = MarianTranslators.acquire(MarianModelConfig.of(dir))) {
      assertTrue(!lease.translator().usesKvCache());
      assertEquals(
          TinyModels.referenceGreedy(TinyModels.B, 8),
          lease.translate(TinyModels.heldOutEnglish(8), dev.tarjama.models.local.Decoding.greedy())
              .stream()
              .map(c -> c.get(0).text())
              .toList());
    }
  }
}
