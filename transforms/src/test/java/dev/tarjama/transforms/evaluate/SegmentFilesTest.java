package dev.tarjama.transforms.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentFilesTest {
  private static final Path EVAL = Path.of(System.getProperty("tarjama.testdata"), "eval");

  @Test
  void lineEndings() {
    assertEquals(List.of("a", "b"), SegmentFiles.segments("a\nb\n"));
    assertEquals(List.of("a", "b"), SegmentFiles.segments("a\r\nb"));
    assertEquals(List.of("a", "", "c"), SegmentFiles.segments("\uFEFFa\r\n\nc\r\n"));
    assertEquals(List.of(), SegmentFiles.segments(""));
    assertEquals(List.of("x\ry"), SegmentFiles.segments("x\ry\n"), "a lone CR is text");
  }

  @Test
  void readsTheShippedXquadSet() throws IOException {
    List<String> en = SegmentFiles.read(EVAL.resolve("xquad_en_ar.en.txt").toString());
    List<String> ar = SegmentFiles.read(EVAL.resolve("xquad_en_ar.ar.txt").toString());
    assertEquals(477, en.size());
    assertEquals(477, ar.size());
    assertEquals("How many points did the Panthers defense surrender?", en.get(0));
    assertEquals("كم نقطة تخلى عنها دفاع البانثرز؟", ar.get(0));
  }

  @Test
  void clearErrors(@TempDir Path dir) throws IOException {
    Path latin1 = dir.resolve("latin1.txt");
    Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});
    IOException e = assertThrows(IOException.class, () -> SegmentFiles.read(latin1.toString()));
    assertTrue(e.getMessage().contains("latin1.txt is not UTF-8"), e.getMessage());
    e = assertThrows(IOException.class,
        () -> SegmentFiles.read(dir.resolve("missing.txt").toString()));
    assertTrue(e.getMessage().contains("missing.txt does not exist"), e.getMessage());
    IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
        () -> SegmentFiles.requireSameLength("--references", "r.txt", List.of("a"), "--sources",
            "s.txt", List.of("a", "b")));
    assertEquals("--references r.txt has 1 segments (lines) but --sources s.txt has 2; line i of"
        + " each must be the same segment", mismatch.getMessage());
  }
}
