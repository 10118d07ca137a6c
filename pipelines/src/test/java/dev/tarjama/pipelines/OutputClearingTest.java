package dev.tarjama.pipelines;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.testing.DataKit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import dev.tarjama.transforms.io.OutputLayout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rerun into the same output replaces every output of the earlier run as a whole: folders the
 * new run does not write are gone (a rerun without --reward-model keeps no old preferences), and
 * files of another sharding never land beside the new ones.
 */
@Tag("flink-cluster") // two runs with a reward model: a slow end-to-end test
class OutputClearingTest {
  static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void aRerunLeavesOnlyWhatItWroteItself(@TempDir Path tmp) throws Exception {
    Path input = tmp.resolve("seed_tasks.jsonl");
    Files.write(input,
        Files.readAllLines(DataKit.data("instruct/alpaca_seed/seed_tasks.jsonl")).subList(0, 4));
    Path out = tmp.resolve("out");
    RunOutputs before = ResumeTest.translate(input.toString(), out,
        "--reward-model=" + RewardTranslateTest.TINY_REWARD, "--preference-min-gap=0",
        "--emit=bilingual", "--numShards=3").runOnce();
    assertFalse(before.lines("preferences").isEmpty(), "the first run wrote preferences");
    assertTrue(Files.isDirectory(out.resolve("reward_failures")));
    assertTrue(files(out.resolve("bilingual")).stream()
        .allMatch(f -> f.getFileName().toString().contains("-of-00003")));
    // Whatever the run wrote is in the one list a rerun clears (the cache is kept on purpose).
    try (Stream<Path> top = Files.list(out)) {
      for (Path entry : top.toList()) {
        String name = entry.getFileName().toString();
        assertTrue(OutputLayout.TRANSLATE.folders().contains(name)
                || OutputLayout.TRANSLATE.files().contains(name) || name.equals("_cache")
                // the spend ledger: a new run starts it anew, a --resume keeps it
                || name.equals("_spend"),
            "written but not in OutputLayout.TRANSLATE: " + name);
      }
    }

    ResumeTest.translate(input.toString(), out, "--emit=bilingual", "--numShards=2").runOnce();

    assertFalse(Files.exists(out.resolve("preferences")), "old preferences survived the rerun");
    assertFalse(Files.exists(out.resolve("reward_failures")));
    for (String folder : List.of("chosen", "candidates", "rejected", "dead_letter", "bilingual",
        "translator_training")) {
      for (Path file : files(out.resolve(folder))) {
        // The first run wrote -of-00003 files; an empty folder's one zero-row file is -of-00001.
        assertFalse(file.getFileName().toString().contains("-of-00003"),
            "a file of the first run's sharding survived: " + out.relativize(file));
      }
    }
    assertTrue(Files.exists(out.resolve("_cache/translations.db")), "the cache is kept");
  }
}
