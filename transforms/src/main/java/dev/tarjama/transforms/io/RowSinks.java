package dev.tarjama.transforms.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.WritableByteChannel;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.parquet.ParquetIO;

/**
 * The {@link FileIO.Sink}s of {@link WriteOutputs}: each takes JSON rows, puts them in the file
 * set's {@link RowType} shape and writes them as Parquet (Beam's {@link ParquetIO#sink}, standard
 * 3-level lists as pyarrow writes them) or JSON Lines ({@link TextIO#sink}).
 */
final class RowSinks {
  /** Parquet lists as pyarrow and the Parquet spec write them (the 2-level form cannot hold nulls). */
  private static final Map<String, String> PARQUET_CONF =
      Map.of("parquet.avro.write-old-list-structure", "false");

  private RowSinks() {}

  static FileIO.Sink<String> of(OutputFormat format, RowType type) {
    return format == OutputFormat.PARQUET ? new ParquetRows(type) : new JsonRows(type);
  }

  /** A file of no rows that still says its schema where the format can (Parquet). */
  static void writeEmpty(OutputFormat format, RowType type, String path) throws IOException {
    ResourceId id = FileSystems.matchNewResource(path, false);
    try (WritableByteChannel channel =
        format.compression().writeCompressed(FileSystems.create(id, "application/octet-stream"))) {
      FileIO.Sink<String> sink = of(format, type);
      sink.open(channel);
      sink.flush();
    }
  }

  private static JsonNode parse(String row) {
    try {
      return RecordJson.parse(row);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("an output row is not JSON", e);
    }
  }

  private static final class ParquetRows implements FileIO.Sink<String> {
    private static final long serialVersionUID = 1L;
    private final RowType type;
    private transient Schema schema;
    private transient ParquetIO.Sink sink;

    ParquetRows(RowType type) {
      this.type = type.finish();
    }

    @Override
    public void open(WritableByteChannel channel) throws IOException {
      schema = type.avroSchema("row");
      sink = ParquetIO.sink(schema).withConfiguration(PARQUET_CONF);
      sink.open(channel);
    }

    @Override
    public void write(String row) throws IOException {
      sink.write((GenericRecord) RowType.avroValue(type.conform(parse(row)), schema));
    }

    @Override
    public void flush() throws IOException {
      sink.flush();
    }
  }

  private static final class JsonRows implements FileIO.Sink<String> {
    private static final long serialVersionUID = 1L;
    private final RowType type;
    private transient FileIO.Sink<String> lines;

    JsonRows(RowType type) {
      this.type = type.finish();
    }

    @Override
    public void open(WritableByteChannel channel) throws IOException {
      lines = TextIO.sink();
      lines.open(channel);
    }

    @Override
    public void write(String row) throws IOException {
      lines.write(RecordJson.print(type.conform(parse(row))));
    }

    @Override
    public void flush() throws IOException {
      lines.flush();
    }
  }
}
