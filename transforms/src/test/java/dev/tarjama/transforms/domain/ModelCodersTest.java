package dev.tarjama.transforms.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.rank.RankedRecord;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.jupiter.api.Test;

/** Every domain type travels between workers through its explicit, deterministic coder. */
class ModelCodersTest {
  private static final CoderRegistry REGISTRY = CoderRegistry.createDefault();

  private static <T> T roundTrip(Class<T> type, T value) throws Exception {
    Coder<T> coder = REGISTRY.getCoder(type);
    coder.verifyDeterministic();
    byte[] bytes = CoderUtils.encodeToByteArray(coder, value);
    // Same value, same bytes: safe as (part of) a GroupByKey key or for dedupe.
    assertEquals(java.util.Arrays.toString(bytes),
        java.util.Arrays.toString(CoderUtils.encodeToByteArray(coder, value)));
    // A worker gets the coder Java-serialized in the job: it must read the same bytes back.
    Coder<T> shipped = SerializableUtils.clone(coder);
    assertEquals(coder, shipped);
    assertEquals(value, CoderUtils.decodeFromByteArray(shipped, bytes));
    return CoderUtils.decodeFromByteArray(coder, bytes);
  }

  @Test
  void domainTypesRoundTripThroughTheirRegisteredCoders() throws Exception {
    TextField field = new TextField("/messages/0/content", "user", "text", "Hi `x` there");
    Conversation conversation =
        new Conversation("f.jsonl:1", "split", "messages", "{\"messages\":[]}", List.of(field));
    assertEquals(conversation, roundTrip(Conversation.class, conversation));
    assertEquals(
        new SourceRecord("f.jsonl:1", "f.jsonl", 1, "{}"),
        roundTrip(SourceRecord.class, new SourceRecord("f.jsonl:1", "f.jsonl", 1, "{}")));

    Piece prose = Piece.prose("Hi ⟦0⟧ there", List.of("`x`"), List.of("inline_code"));
    SegmentedRecord segmented =
        new SegmentedRecord(
            conversation,
            List.of(new FieldSegments(0, List.of(prose, Piece.verbatim("code_fence", "```")))));
    assertEquals(segmented, roundTrip(SegmentedRecord.class, segmented));
    assertEquals("Hi `x` there", prose.original());

    Chunk chunk = new Chunk("f.jsonl:1", "split", 0, 0, "Hi ⟦0⟧ there", List.of("`x`"),
        List.of("inline_code"), 4);
    assertEquals(chunk, roundTrip(Chunk.class, chunk));
    RecordPlan plan = new RecordPlan(conversation,
        List.of(new FieldPlan(0, List.of(PlanPart.chunk(0), PlanPart.verbatim("\n")))),
        List.of(chunk));
    assertEquals(plan, roundTrip(RecordPlan.class, plan));

    ChunkTranslation t = ChunkTranslation.success(chunk, "a", 1, "مرحبا ⟦0⟧", 10, 5);
    assertEquals(t, roundTrip(ChunkTranslation.class, t));
    ChunkTranslation cut = ChunkTranslation.truncated(chunk, "a", 1, "مرحبا", 10, 5);
    assertTrue(roundTrip(ChunkTranslation.class, cut).truncated());
    assertTrue(!cut.equals(t) && !roundTrip(ChunkTranslation.class, t).truncated());

    Candidate c = Candidate.unscored("f.jsonl:1", "split", "a", 1, "{}", true, "", "Hi", "مرحبا",
        10, 5).withMetrics(0.9, 1.0, false);
    Candidate back = roundTrip(Candidate.class, c);
    assertEquals(c, back);
    assertTrue(Double.isNaN(back.reward()));
    Candidate rewarded = c.withReward(-1.25).withRankScore(0.7);
    assertEquals(-1.25, roundTrip(Candidate.class, rewarded).reward(), 0.0);
    assertEquals(rewarded, roundTrip(Candidate.class, rewarded));

    RankedRecord ranked = new RankedRecord("f.jsonl:1", "split", c, 3, 2, "");
    assertEquals(ranked, roundTrip(RankedRecord.class, ranked));

    DeadLetter d = new DeadLetter("f.jsonl:3", "read", "", "bad bytes", "wyg=", true);
    assertEquals(d, roundTrip(DeadLetter.class, d));
  }
}
