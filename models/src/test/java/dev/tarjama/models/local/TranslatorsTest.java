package dev.tarjama.models.local;

import dev.tarjama.models.onnx.ExecutionProvider;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranslatorsTest {
  @Test
  void anOptimumSeq2SeqExportIsRecognisedByItsEncoderAndDecoder(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("encoder_model.onnx"), "");
    assertThrows(IllegalArgumentException.class, () -> Translators.detect(dir));
    Files.writeString(dir.resolve("decoder_model.onnx"), "");
    assertEquals(Translators.Layout.MARIAN_ONNX, Translators.detect(dir));
  }

  @Test
  void errorsSayWhatWasExpectedAndWhatWasFound(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("pytorch_model.bin"), "x");
    Files.writeString(dir.resolve("config.json"), "{}");
    String message =
        assertThrows(IllegalArgumentException.class, () -> Translators.open(dir, ExecutionProvider.CPU))
            .getMessage();
    assertTrue(message.contains("unsupported model layout in " + dir), message);
    assertTrue(message.contains("encoder_model.onnx + decoder_model.onnx"), message);
    assertTrue(message.contains("found config.json, pytorch_model.bin"), message);

    String missing =
        assertThrows(
                IllegalArgumentException.class,
                () -> Translators.open(dir.resolve("nope"), ExecutionProvider.CPU))
            .getMessage();
    assertEquals("model directory does not exist: " + dir.resolve("nope"), missing);
    assertEquals(ExecutionProvider.CUDA, ExecutionProvider.parse(" Cuda "));
    assertThrows(IllegalArgumentException.class, () -> ExecutionProvider.parse("tpu"));
  }
}
