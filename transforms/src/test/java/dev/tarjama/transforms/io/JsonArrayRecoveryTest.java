package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.SourceRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JSON array with a syntax error, or a truncated {@code .json.gz}, loses only the damaged
 * element: every other element is read, each damaged region is one dead letter naming the element
 * and where it broke, and no payload is cut without saying so.
 */
@ExtendWith(TestPipelineExtension.class)
class JsonArrayRecoveryTest {

  /** Record i: a chat with two nested message objects, as LLaMA-Factory's sharegpt files hold. */
  private static String record(int i) {
    return "{\"id\": \"r" + i + "\", \"conversations\": [{\"from\": \"human\", \"value\": \"q" + i
        + "\"}, {\"from\": \"gpt\", \"value\": \"a" + i + "\"}]}";
  }

  private static String array(List<String> elements, String separator) {
    return "[" + separator + String.join("," + separator, elements) + separator + "]" + separator;
  }

  private static KitReader.Collected read(byte[] bytes) throws IOException {
    KitReader.Collected sink = new KitReader.Collected(null);
    new JsonArrayReader("f.json", sink).read(new ByteArrayInputStream(bytes));
    return sink;
  }

  private static List<String> ids(KitReader.Collected c) {
    return c.records.stream().map(r -> RecordJson.MAPPER.valueToTree(parse(r)).get("id").asText())
        .toList();
  }

  private static com.fasterxml.jackson.databind.JsonNode parse(SourceRecord r) {
    try {
      return RecordJson.parse(r.json());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aMissingBraceCostsOneElementAndEveryLaterElementIsRead() throws Exception {
    List<String> elements = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      elements.add(record(i));
    }
    String broken = record(2).substring(0, record(2).length() - 1); // its closing '}' is gone
    elements.set(2, broken);
    for (String separator : List.of("\n  ", "")) { // pretty-printed and compact
      KitReader.Collected c = read(array(elements, separator).getBytes(StandardCharsets.UTF_8));
      assertEquals(List.of("r0", "r1", "r3", "r4", "r5"), ids(c), separator);
      assertEquals(1, c.deadLetters.size(), c.deadLetters.toString());
      DeadLetter d = c.deadLetters.get(0);
      assertEquals("f.json#2", d.recordId());
      assertTrue(d.error().startsWith("element 2: invalid JSON: "), d.error());
      assertTrue(d.error().contains("skipped to the next element"), d.error());
      assertEquals(broken, d.original());
      assertFalse(d.truncatedPayload());
      // The inner message objects were never taken for records.
      assertTrue(c.records.stream().allMatch(r -> r.json().startsWith("{\"id\"")));
    }
  }

  @Test
  void anUnclosedStringCostsOneElement() throws Exception {
    List<String> elements = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      elements.add(record(i));
    }
    elements.set(1, "{\"id\": \"r1, \"conversations\": []}");
    KitReader.Collected c = read(array(elements, "\n").getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("r0", "r2", "r3"), ids(c));
    assertEquals(1, c.deadLetters.size(), c.deadLetters.toString());
    assertEquals("f.json#1", c.deadLetters.get(0).recordId());
    assertTrue(c.deadLetters.get(0).error().contains("(line 3, column"), c.deadLetters.get(0).error());
  }

  @Test
  void aTruncatedGzipKeepsEveryElementCompletedBeforeTheCut() throws Exception {
    List<String> elements = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      elements.add(record(i));
    }
    byte[] json = array(elements, "\n").getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(json);
    }
    byte[] cut = Arrays.copyOf(gz.toByteArray(), gz.size() / 2);
    // What survives the cut, read independently: the bytes gzip still gives before it fails.
    ByteArrayOutputStream prefix = new ByteArrayOutputStream();
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(cut))) {
      byte[] buffer = new byte[1];
      while (in.read(buffer) == 1) {
        prefix.write(buffer[0]);
      }
    } catch (IOException expected) {
      // the cut
    }
    String survived = prefix.toString(StandardCharsets.UTF_8);
    int whole = 0;
    while (whole < elements.size() && survived.contains(elements.get(whole) + ",")) {
      whole++;
    }
    assertTrue(whole > 50 && whole < 400, "cut in the middle: " + whole);

    KitReader.Collected c = new KitReader.Collected(null);
    new JsonArrayReader("f.json.gz", c)
        .read(new GZIPInputStream(new ByteArrayInputStream(cut)));
    assertEquals(whole, c.records.size());
    assertEquals("r" + (whole - 1), ids(c).get(whole - 1));
    assertEquals(1, c.deadLetters.size(), c.deadLetters.toString());
    DeadLetter d = c.deadLetters.get(0);
    assertEquals("f.json.gz#" + whole, d.recordId());
    assertTrue(d.error().contains("compressed data is corrupt or truncated"), d.error());
    assertTrue(elements.get(whole).startsWith(d.original()), d.original());
  }

  @Test
  void aDamagedRegionLongerThanTheLimitSaysItIsCut() throws Exception {
    String big = "{\"id\": \"big\", \"text\": \"" + "x".repeat(5000) + "\" oops}";
    String json = array(List.of(record(0), big), "\n");
    KitReader.Collected c = new KitReader.Collected(null);
    new JsonArrayReader("f.json", c, 1000)
        .read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    assertEquals(List.of("r0"), ids(c));
    DeadLetter d = c.deadLetters.get(0);
    assertTrue(d.truncatedPayload());
    assertEquals(big.length(), d.originalLength());
    assertEquals(big.substring(0, 1000), d.original());
    assertTrue(d.error().contains("cut at 1000 of " + big.length() + " bytes"), d.error());
    assertTrue(RecordJson.parse(OutputRecords.deadLetter(d)).get("truncated_payload").asBoolean());
  }

  @Test
  void aFileThatEndsBeforeTheClosingBracketIsSaid() throws Exception {
    KitReader.Collected c = read(("[" + record(0) + ", " + record(1)).getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("r0", "r1"), ids(c));
    assertEquals(1, c.deadLetters.size());
    assertTrue(c.deadLetters.get(0).error().contains("before the array's closing ']'"),
        c.deadLetters.get(0).error());
  }

  @Test
  void aTruncatedJsonGzInAPipelineIsReadUpToTheCut(TestPipeline pipeline, @TempDir Path dir)
      throws Exception {
    List<String> elements = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      elements.add(record(i));
    }
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(array(elements, "\n").getBytes(StandardCharsets.UTF_8));
    }
    Path file = dir.resolve("cut.json.gz");
    Files.write(file, Arrays.copyOf(gz.toByteArray(), gz.size() * 2 / 3));
    PCollectionTuple read = pipeline.apply(ReadRecords.from(file.toString()));
    PAssert.that(read.get(ReadRecords.RECORDS))
        .satisfies(records -> {
          int n = 0;
          for (SourceRecord r : records) {
            n++;
          }
          assertTrue(n > 100 && n < 300, "records read: " + n);
          return null;
        });
    PAssert.that(read.get(ReadRecords.DEAD_LETTERS))
        .satisfies(letters -> {
          int n = 0;
          for (DeadLetter d : letters) {
            n++;
            assertTrue(d.error().contains("compressed data is corrupt or truncated"), d.error());
          }
          assertEquals(1, n);
          return null;
        });
    pipeline.run().waitUntilFinish();
  }
}
