package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.models.testing.DataKit;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrateCommandTest {

  @Test
  void measuresTheDefaultR0FromTheDataKitsHumanPairs(@TempDir Path tmp) throws Exception {
    Path output = tmp.resolve("calibration.json");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Tarjama.run(new String[] {
        "calibrate",
        "--tatoeba=" + DataKit.tatoeba(),
        "--xquad=" + DataKit.data("eval/xquad"),
        "--output=" + output},
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    assertEquals(0, code);
    JsonNode calibration = RecordJson.parse(Files.readString(output));
    assertEquals(13_991, calibration.get("pairs").asLong());
    // The default every run uses is this measurement, rounded as shipped.
    assertEquals(DefaultCalibration.R0, calibration.get("r0").asDouble(), 5e-5);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("--r0=0.8166"));
  }

  @Test
  void withoutDataItSaysWhatItNeeds() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Tarjama.run(new String[] {"calibrate"}, System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--tatoeba"));
  }
}
