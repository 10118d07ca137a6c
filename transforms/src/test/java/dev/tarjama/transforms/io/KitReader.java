package dev.tarjama.transforms.io;

import dev.tarjama.transforms.domain.DeadLetter;
import dev.tarjama.transforms.domain.SourceRecord;
import dev.tarjama.models.testing.DataKit;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The data kit's files read with the plain readers (no pipeline). */
final class KitReader {
  private KitReader() {}

  /** What a reader emitted. */
  static final class Collected extends RecordSink {
    final List<SourceRecord> records = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();

    Collected(String idField) {
      super(idField);
    }

    @Override
    void record(SourceRecord record) {
      records.add(record);
    }

    @Override
    void deadLetter(DeadLetter deadLetter) {
      deadLetters.add(deadLetter);
    }
  }

  /** Reads a data-kit file the way ReadRecords does for a single file (named by its base name). */
  static Collected read(String relative) throws IOException {
    Path path = DataKit.data(relative);
    String name = path.getFileName().toString();
    Collected sink = new Collected(null);
    byte[] first = Files.readAllBytes(path);
    boolean array = new String(first, 0, Math.min(first.length, 64)).strip().startsWith("[");
    try (InputStream in = Files.newInputStream(path)) {
      if (array) {
        new JsonArrayReader(name, sink).read(in);
      } else {
        new JsonLinesReader(name, sink).read(in);
      }
    }
    return sink;
  }
}
