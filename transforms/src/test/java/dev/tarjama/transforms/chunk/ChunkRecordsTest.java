package dev.tarjama.transforms.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.models.tokenize.TokenCounters;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.Conversation;
import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.FieldSegments;
import dev.tarjama.transforms.domain.Piece;
import dev.tarjama.transforms.domain.RecordPlan;
import dev.tarjama.transforms.domain.SegmentedRecord;
import dev.tarjama.transforms.domain.TextField;
import dev.tarjama.models.testing.DataKit;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class ChunkRecordsTest {

  /** A record whose pieces do not rebuild its second field (a segmentation bug). */
  private static SegmentedRecord broken() {
    TextField ok = new TextField("/messages/0/content", "user", "text", "Fine text.");
    TextField bad = new TextField("/messages/1/content", "assistant", "text", "Original text.");
    return new SegmentedRecord(
        new Conversation("think_tools.jsonl:999", "think_tools", "messages",
            "{\"messages\":[\"...\"]}", List.of(ok, bad)),
        List.of(
            new FieldSegments(0, List.of(Piece.prose(ok.text(), List.of(), List.of()))),
            new FieldSegments(1, List.of(Piece.prose("Altered text.", List.of(), List.of())))));
  }

  @Test
  void chunksPlansAndDeadLettersOfRealRecords(TestPipeline pipeline) {
    List<SegmentedRecord> input = new ArrayList<>(RealRecords.thinkTools().subList(0, 20));
    input.add(broken());

    // The expected outputs, from the plain Chunker with the same configuration.
    Chunker chunker = Chunker.bySentences(TokenCounters.acquire(RealRecords.QWEN3), 64);
    List<RecordPlan> plans = new ArrayList<>();
    List<Chunk> chunks = new ArrayList<>();
    for (SegmentedRecord record : input.subList(0, 20)) {
      RecordPlan plan = chunker.plan(record);
      plans.add(plan);
      chunks.addAll(plan.chunks());
    }
    ChunkingException failure =
        assertThrows(ChunkingException.class, () -> chunker.plan(broken()));
    DeadLetter deadLetter = DeadLetter.of("think_tools.jsonl:999", "chunk",
        "/messages/1/content", failure.getMessage(), "{\"messages\":[\"...\"]}");
    assertTrue(chunks.size() > plans.size(), "the test records must fan out");

    PCollectionTuple out =
        pipeline
            .apply(Create.of(input))
            .apply(ChunkRecords.create().withTokenizer(RealRecords.QWEN3).withTokenBudget(64));

    PAssert.that(out.get(ChunkRecords.PLANS)).containsInAnyOrder(plans);
    PAssert.that(out.get(ChunkRecords.CHUNKS)).containsInAnyOrder(chunks);
    PAssert.that(out.get(ChunkRecords.DEAD_LETTERS)).containsInAnyOrder(deadLetter);
    pipeline.run().waitUntilFinish();
  }

  @Test
  void lineModeWithoutTokenizerUsesTheEstimate(TestPipeline pipeline) {
    List<SegmentedRecord> input = RealRecords.dpoEnDemo().subList(0, 30);
    Chunker chunker = Chunker.byLines(TokenCounters.approximate(), 490, 3);
    long expected = input.stream().mapToLong(r -> chunker.plan(r).chunks().size()).sum();

    PCollectionTuple out =
        pipeline.apply(Create.of(input)).apply(ChunkRecords.create().withLineMode(3));

    PAssert.thatSingleton(out.get(ChunkRecords.CHUNKS).apply(Count.globally()))
        .isEqualTo(expected);
    PAssert.that(out.get(ChunkRecords.CHUNKS))
        .satisfies(
            all -> {
              for (Chunk chunk : all) {
                assertEquals(TokenCounters.approximate().count(chunk.text()), chunk.tokens());
                assertTrue(chunk.text().split("\n", -1).length <= 3, chunk.toString());
              }
              return null;
            });
    PAssert.that(out.get(ChunkRecords.DEAD_LETTERS)).empty();
    pipeline.run().waitUntilFinish();
  }

  @Test
  void aMissingTokenizerFailsTheRunNamingTheFile(TestPipeline pipeline) {
    String missing = DataKit.tokenizer("none").resolve("tokenizer.json").toString();
    pipeline
        .apply(Create.of(RealRecords.thinkTools().subList(0, 1)))
        .apply(ChunkRecords.create().withTokenizer(missing));
    String named = java.nio.file.Path.of(missing).toAbsolutePath().normalize().toString();
    // Setup fails: the DirectRunner surfaces it wrapped, so look along the causes.
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> pipeline.run().waitUntilFinish());
    boolean found = false;
    for (Throwable t = e; t != null && !found; t = t.getCause()) {
      found = String.valueOf(t.getMessage()).contains("Tokenizer file not found: " + named);
    }
    assertTrue(found, e.toString());
  }

  @Test
  void configurationIsValidatedAndCopied() {
    ChunkRecords base = ChunkRecords.create();
    assertThrows(IllegalArgumentException.class, () -> base.withTokenBudget(4));
    assertThrows(IllegalArgumentException.class, () -> base.withLineMode(0));
    assertThrows(IllegalArgumentException.class, () -> base.withTokenizer(""));
    assertTrue(base.withTokenBudget(100) != base);
  }
}
