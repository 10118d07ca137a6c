package dev.tarjama.transforms.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** A record key is unique by construction and its string form gives it back. */
class RecordKeyTest {
  @Test
  void theStringFormIsTheLocationAndTheUsersIdInBrackets() {
    assertEquals("train.jsonl:3", RecordKey.at("train.jsonl:3").id());
    assertEquals("train.jsonl:3[q17]", new RecordKey("train.jsonl:3", "q17").id());
    assertEquals("part-0.parquet#0[a%5Bb%5D%25]", new RecordKey("part-0.parquet#0", "a[b]%").id());
    assertEquals("train.jsonl:3[q17]", new RecordKey("train.jsonl:3", "q17").toString());
  }

  @Test
  void recordsSharingAnIdKeepKeysOfTheirOwn() {
    assertNotEquals(new RecordKey("a.jsonl:1", "q1").id(), new RecordKey("a.jsonl:2", "q1").id());
    assertNotEquals(new RecordKey("a.jsonl:1", "q1").id(), new RecordKey("b.jsonl:1", "q1").id());
  }

  @Test
  void everyKeyComesBackFromItsStringAndNoTwoKeysShareOne() {
    // Odd file names and ids: the characters the string form is built from, in every position.
    String alphabet = "ab:#[]%0123 @/";
    Random random = new Random(7);
    Map<String, RecordKey> byId = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      String file = random(random, alphabet, 1 + random.nextInt(6));
      String location = file + (random.nextBoolean() ? ":" : "#") + random.nextInt(100);
      String userId = random.nextInt(4) == 0 ? "" : random(random, alphabet, random.nextInt(6));
      RecordKey key = new RecordKey(location, userId);
      assertEquals(key, RecordKey.parse(key.id()), key.id());
      RecordKey earlier = byId.putIfAbsent(key.id(), key);
      if (earlier != null) {
        assertEquals(earlier, key, "two keys with one string " + key.id());
      }
    }
  }

  @Test
  void aLocationIsFileLineOrFileIndex() {
    for (String bad : List.of("q17", "a.jsonl", "a.jsonl:", "a.jsonl:x", ":3x")) {
      assertThrows(IllegalArgumentException.class, () -> RecordKey.at(bad), bad);
    }
  }

  @Test
  void keysTravelThroughDeterministicCoders() throws Exception {
    CoderRegistry registry = CoderRegistry.createDefault();
    RecordKey key = new RecordKey("a.jsonl:1", "q1");
    Coder<RecordKey> coder = registry.getCoder(RecordKey.class);
    coder.verifyDeterministic();
    assertEquals(key, CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, key)));
    CandidateKey candidate = new CandidateKey(key.id(), "SFT_SeedX_ranked", 1);
    Coder<CandidateKey> candidateCoder = registry.getCoder(CandidateKey.class);
    candidateCoder.verifyDeterministic();
    assertEquals(candidate, CoderUtils.decodeFromByteArray(candidateCoder,
        CoderUtils.encodeToByteArray(candidateCoder, candidate)));
    SourceRecord record = new SourceRecord(key, "a.jsonl", 1, "{\"id\":\"q1\"}");
    Coder<SourceRecord> recordCoder = registry.getCoder(SourceRecord.class);
    SourceRecord back = CoderUtils.decodeFromByteArray(recordCoder,
        CoderUtils.encodeToByteArray(recordCoder, record));
    assertEquals(record, back);
    assertEquals("q1", back.key().userId());
    assertEquals("a.jsonl:1[q1]", back.recordId());
  }

  private static String random(Random random, String alphabet, int length) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }
}
