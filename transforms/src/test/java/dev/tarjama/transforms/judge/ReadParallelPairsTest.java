package dev.tarjama.transforms.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.models.testing.DataKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline.PipelineExecutionException;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestPipelineExtension.class)
class ReadParallelPairsTest {
  @Test
  void theWholeTatoebaFileReadsAsPairsWithNoDeadLetter(TestPipeline p) {
    PCollectionTuple read =
        p.apply(ReadParallelPairs.tsv(DataKit.tatoeba().toString()));
    PAssert.thatSingleton(read.get(ReadParallelPairs.PAIRS).apply(Count.globally()))
        .isEqualTo(12_561L);
    PAssert.that(read.get(ReadParallelPairs.DEAD_LETTERS)).empty();
    PAssert.that(read.get(ReadParallelPairs.PAIRS)
            .apply(Filter.by((ParallelPair pair) -> pair.line() == 1 || pair.line() == 5000)))
        .containsInAnyOrder(
            new ParallelPair("ara.txt:1", "Hi.", "مرحبًا.", "ara.txt", 1),
            new ParallelPair("ara.txt:5000", "I guess we can't say no.",
                "اعتقد بأنه لا يمكننا الرفض.", "ara.txt", 5000));
    p.run().waitUntilFinish();
  }

  @Test
  void badLinesOfEveryFormatBecomeDeadLettersAndTheRestIsRead(TestPipeline p, @TempDir Path dir)
      throws Exception {
    List<TestCorpora.Pair> pairs = TestCorpora.slice(2000, 4);
    Path tsv = TestCorpora.writeTsv(dir.resolve("a.tsv"), pairs);
    // Line 5: one column; line 6: not UTF-8 (a Latin-1 é); line 7 blank (skipped, not counted).
    byte[] latin1 = "Only English here\n".getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream tail = new java.io.ByteArrayOutputStream();
    tail.write(latin1);
    tail.write(new byte[] {'e', (byte) 0xE9, 't', '\t', 'x', '\n', '\n'});
    Files.write(tsv, tail.toByteArray(), java.nio.file.StandardOpenOption.APPEND);
    Path jsonl = TestCorpora.writeOpusJsonl(dir.resolve("b.jsonl"), pairs);
    Files.writeString(jsonl, "{\"translation\":{\"en\":\"Hi.\"}}\nnot json\n",
        java.nio.file.StandardOpenOption.APPEND);

    PCollectionTuple fromTsv = p.apply("tsv", ReadParallelPairs.tsv(tsv.toString()));
    PCollectionTuple fromJsonl = p.apply("jsonl", ReadParallelPairs.jsonl(jsonl.toString()));
    List<ParallelPair> expectedTsv = new ArrayList<>();
    List<ParallelPair> expectedJsonl = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      TestCorpora.Pair pair = pairs.get(i);
      expectedTsv.add(new ParallelPair("a.tsv:" + (i + 1), pair.en(), pair.ar(), "a.tsv", i + 1));
      expectedJsonl.add(
          new ParallelPair("b.jsonl:" + (i + 1), pair.en(), pair.ar(), "b.jsonl", i + 1));
    }
    PAssert.that(fromTsv.get(ReadParallelPairs.PAIRS)).containsInAnyOrder(expectedTsv);
    PAssert.that(fromJsonl.get(ReadParallelPairs.PAIRS)).containsInAnyOrder(expectedJsonl);
    PAssert.that(fromTsv.get(ReadParallelPairs.DEAD_LETTERS)).satisfies(dead -> {
      List<String> seen = new ArrayList<>();
      for (DeadLetter d : dead) {
        seen.add(d.recordId() + " " + d.field() + " " + d.originalBase64() + " " + d.error());
      }
      seen.sort(null);
      assertEquals(List.of(
          "a.tsv:5 /ar false line 5: column 2 (ar) is missing: the line has 1 column (tab-separated)",
          "a.tsv:6  true line 6: invalid UTF-8"), seen);
      return null;
    });
    PAssert.that(fromJsonl.get(ReadParallelPairs.DEAD_LETTERS)).satisfies(dead -> {
      List<String> seen = new ArrayList<>();
      for (DeadLetter d : dead) {
        seen.add(d.recordId() + " " + d.field());
      }
      seen.sort(null);
      assertEquals(List.of("b.jsonl:5 /translation/ar", "b.jsonl:6 "), seen);
      return null;
    });
    p.run().waitUntilFinish();
  }

  @Test
  void mosesFilesAreReadInStepAndNamedByTheirSharedStem(TestPipeline p, @TempDir Path dir)
      throws Exception {
    List<TestCorpora.Pair> pairs = TestCorpora.slice(7000, 5);
    TestCorpora.writeMoses(dir.resolve("c.en"), dir.resolve("c.ar"), pairs);
    PCollectionTuple read = p.apply(ReadParallelPairs.moses(
        dir.resolve("c.en").toString(), dir.resolve("c.ar").toString()));
    List<ParallelPair> expected = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      expected.add(new ParallelPair("c:" + (i + 1), pairs.get(i).en(), pairs.get(i).ar(), "c", i + 1));
    }
    PAssert.that(read.get(ReadParallelPairs.PAIRS)).containsInAnyOrder(expected);
    PAssert.that(read.get(ReadParallelPairs.DEAD_LETTERS)).empty();
    p.run().waitUntilFinish();
  }

  @Test
  void mosesFilesOfDifferentLengthsFailWithBothCounts(TestPipeline p, @TempDir Path dir)
      throws Exception {
    List<TestCorpora.Pair> pairs = TestCorpora.slice(7000, 5);
    TestCorpora.writeMoses(dir.resolve("c.en"), dir.resolve("c.ar"), pairs);
    Files.writeString(dir.resolve("c.ar"), "سطر زائد\n", java.nio.file.StandardOpenOption.APPEND);
    p.apply(ReadParallelPairs.moses(dir.resolve("c.en").toString(), dir.resolve("c.ar").toString()));
    PipelineExecutionException e =
        assertThrows(PipelineExecutionException.class, () -> p.run().waitUntilFinish());
    assertTrue(e.getCause() instanceof ReadParallelPairs.MisalignedCorpusException, e.toString());
    assertTrue(e.getCause().getMessage().contains("c.en has 5 lines, " + dir.resolve("c.ar")
        + " has 6 lines"), e.getCause().getMessage());
  }
}
