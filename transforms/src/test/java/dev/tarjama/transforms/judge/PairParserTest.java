package dev.tarjama.transforms.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.models.testing.DataKit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lines of the data kit's Tatoeba file, and broken variants of them. */
class PairParserTest {
  static final Path TATOEBA = DataKit.tatoeba();

  static List<String> tatoeba() throws Exception {
    return Files.readAllLines(TATOEBA, StandardCharsets.UTF_8);
  }

  @Test
  void aTatoebaLineIsEnglishArabicAndAnIgnoredAttribution() throws Exception {
    String line = tatoeba().get(0);
    PairParser.Parsed parsed = PairParser.tsv().parseLine("ara.txt", 1, line);
    assertEquals(new ParallelPair("ara.txt:1", "Hi.", "مرحبًا.", "ara.txt", 1), parsed.pair);
  }

  @Test
  void columnsCanComeInAnyOrderWithAnIdAndSkippedColumns() {
    PairParser parser = PairParser.tsv().withColumns("id,ar,-,en");
    ParallelPair p = parser.parseLine("c.tsv", 3, "opus-17\tمرحبًا.\tx\tHi.").pair;
    assertEquals(new ParallelPair("opus-17", "Hi.", "مرحبًا.", "c.tsv", 3), p);
    assertThrows(IllegalArgumentException.class, () -> PairParser.tsv().withColumns("en,en"));
    assertThrows(IllegalArgumentException.class, () -> PairParser.tsv().withColumns("en,fr"));
  }

  @Test
  void aTsvLineWithAMissingOrEmptySideIsADeadLetterNamingFileLineAndField() {
    DeadLetter missing = PairParser.tsv().parseLine("ara.txt", 9, "Hi.").deadLetter;
    assertEquals("ara.txt:9", missing.recordId());
    assertEquals("read", missing.stage());
    assertEquals("/ar", missing.field());
    assertEquals("line 9: column 2 (ar) is missing: the line has 1 column (tab-separated)",
        missing.error());
    assertEquals("Hi.", missing.original());
    DeadLetter empty = PairParser.tsv().parseLine("ara.txt", 4, " \tمرحبًا.").deadLetter;
    assertEquals("/en", empty.field());
    assertTrue(empty.error().contains("English side (/en) is empty"), empty.error());
    assertTrue(PairParser.tsv().parseLine("ara.txt", 5, "  ").isBlank());
  }

  @Test
  void jsonlReadsOpus100TranslationRecordsTopLevelFieldsOrGivenPointers() {
    PairParser opus = PairParser.jsonl();
    assertEquals(new ParallelPair("o.jsonl:1", "Hi.", "مرحبًا.", "o.jsonl", 1),
        opus.parseLine("o.jsonl", 1, "{\"translation\":{\"ar\":\"مرحبًا.\",\"en\":\"Hi.\"}}").pair);
    assertEquals(new ParallelPair("o.jsonl:2", "Hi.", "مرحبًا.", "o.jsonl", 2),
        opus.parseLine("o.jsonl", 2, "{\"en\":\"Hi.\",\"ar\":\"مرحبًا.\"}").pair);
    PairParser custom = PairParser.jsonl().withFields("/src/text", "tgt", "uid");
    assertEquals(new ParallelPair("42", "Hi.", "مرحبًا.", "c.jsonl", 5),
        custom.parseLine("c.jsonl", 5,
            "{\"uid\":42,\"src\":{\"text\":\"Hi.\"},\"tgt\":\"مرحبًا.\"}").pair);
  }

  @Test
  void aBrokenJsonlLineIsADeadLetterNamingTheField() {
    DeadLetter notJson = PairParser.jsonl().parseLine("o.jsonl", 3, "{\"translation\":").deadLetter;
    assertEquals("o.jsonl:3", notJson.recordId());
    assertEquals("", notJson.field());
    assertTrue(notJson.error().startsWith("line 3: invalid JSON"), notJson.error());
    DeadLetter noArabic =
        PairParser.jsonl().parseLine("o.jsonl", 4, "{\"translation\":{\"en\":\"Hi.\"}}").deadLetter;
    assertEquals("/translation/ar", noArabic.field());
    assertEquals("line 4: /translation/ar is missing, expected a string", noArabic.error());
    DeadLetter number = PairParser.jsonl().parseLine("o.jsonl", 6, "{\"en\":1,\"ar\":\"x\"}").deadLetter;
    assertEquals("/en", number.field());
    assertEquals("line 6: /en is number, expected a string", number.error());
  }

  @Test
  void aMosesLinePairWithOneBlankSideIsADeadLetter() {
    PairParser moses = PairParser.moses();
    assertTrue(moses.parseMoses("c", 2, "", " ").isBlank());
    DeadLetter d = moses.parseMoses("c", 3, "Hi.", "").deadLetter;
    assertEquals("c:3", d.recordId());
    assertEquals("/ar", d.field());
    assertEquals("{\"en\":\"Hi.\",\"ar\":\"\"}", d.original());
    assertNull(moses.parseMoses("c", 3, "Hi.", "").pair);
  }
}
