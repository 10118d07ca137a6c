package dev.tarjama.transforms.evaluate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Plain-text segment files, as sacreBLEU and every MT toolkit read them: UTF-8, one segment per
 * line, lines ending in {@code \n} or {@code \r\n}; a final line break does not start another
 * segment, and a UTF-8 byte-order mark at the start is not part of the first segment. Line i of a
 * sources file, a references file and a system's output file is the same segment. Read through
 * Beam's {@link FileSystems}, so {@code gs://} paths work where the GCS file system is on the
 * class path.
 */
public final class SegmentFiles {
  private SegmentFiles() {}

  /** The segments of {@code path}; the error names the file when it is missing or not UTF-8. */
  public static List<String> read(String path) throws IOException {
    MatchResult match = FileSystems.match(path);
    if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
      throw new IOException("segment file " + path + " does not exist");
    }
    if (match.metadata().size() > 1) {
      throw new IOException("segment file " + path + " matches " + match.metadata().size()
          + " files; give one file");
    }
    byte[] bytes;
    try (InputStream in =
        Channels.newInputStream(FileSystems.open(match.metadata().get(0).resourceId()))) {
      bytes = in.readAllBytes();
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new IOException("segment file " + path + " is not UTF-8 text", e);
    }
    return segments(text);
  }

  /** The segments of a file's text. */
  public static List<String> segments(String text) {
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      int stop = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
      lines.add(text.substring(start, stop));
      start = end + 1;
    }
    return lines;
  }

  /**
   * Fails with a message naming both files and their segment counts unless they have as many
   * segments.
   */
  public static void requireSameLength(
      String what, String path, List<String> segments, String otherWhat, String otherPath,
      List<String> other) {
    if (segments.size() != other.size()) {
      throw new IllegalArgumentException(
          what + " " + path + " has " + segments.size() + " segments (lines) but " + otherWhat
              + " " + otherPath + " has " + other.size()
              + "; line i of each must be the same segment");
    }
  }
}
