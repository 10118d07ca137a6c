package dev.tarjama.transforms.judge;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Lines of a text file as they are: split on {@code \n} before decoding (so one line of invalid
 * UTF-8 does not lose the rest of the file), {@code \r} before the break and a byte-order mark at
 * the start removed, numbered from 1.
 */
final class LineReader implements AutoCloseable {
  /** One line: its text, or (when it is not UTF-8) its bytes in Base64 and {@code text} null. */
  record Line(long number, String text, String base64) {
    boolean valid() {
      return text != null;
    }
  }

  private final InputStream in;
  private final CharsetDecoder utf8 =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private byte[] buffer = new byte[1 << 12];
  private long number;
  private boolean eof;

  LineReader(InputStream in) {
    this.in = new BufferedInputStream(in, 1 << 16);
  }

  /** The next line, or null at the end of the file. */
  Line next() throws IOException {
    if (eof) {
      return null;
    }
    int length = 0;
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (length == buffer.length) {
        buffer = Arrays.copyOf(buffer, buffer.length * 2);
      }
      buffer[length++] = (byte) b;
    }
    if (b < 0) {
      eof = true;
      if (length == 0) {
        return null; // a final line break ends the last line, it does not start another
      }
    }
    number++;
    int from = 0;
    if (number == 1 && length >= 3 && buffer[0] == (byte) 0xEF && buffer[1] == (byte) 0xBB
        && buffer[2] == (byte) 0xBF) {
      from = 3;
    }
    int to = length;
    if (to > from && buffer[to - 1] == '\r') {
      to--;
    }
    try {
      utf8.reset();
      String text = utf8.decode(ByteBuffer.wrap(buffer, from, to - from)).toString();
      return new Line(number, text, null);
    } catch (CharacterCodingException e) {
      return new Line(
          number, null, Base64.getEncoder().encodeToString(Arrays.copyOfRange(buffer, from, to)));
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
