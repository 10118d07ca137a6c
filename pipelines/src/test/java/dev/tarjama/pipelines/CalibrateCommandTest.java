package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.models.testing.DataKit;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrateCommandTest {

  @Test
  void measuresTheDefaultR0FromTheDataKitsHumanPairs(@TempDir Path tmp) throws Exception {
    Path output = tmp.resolve("calibration.json");
    RunOutputs run = JobTest.line(
        "calibrate",
        "--tatoeba=" + DataKit.tatoeba(),
        "--xquad=" + DataKit.data("eval/xquad"),
        "--output=" + output).runOnce();
    JsonNode calibration = RecordJson.parse(Files.readString(output));
    assertEquals(13_991, calibration.get("pairs").asLong());
    // The default every run uses is this measurement, rounded as shipped.
    assertEquals(DefaultCalibration.R0, calibration.get("r0").asDouble(), 5e-5);
    assertTrue(run.stdout.contains("--r0=0.8166"));
  }

  @Test
  void withoutDataItSaysWhatItNeeds() throws Exception {
    assertTrue(JobTest.line("calibrate").exits(2).runOnce().stderr.contains("--tatoeba"));
  }
}
