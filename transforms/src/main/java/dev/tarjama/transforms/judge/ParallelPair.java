package dev.tarjama.transforms.judge;

import dev.tarjama.transforms.domain.ModelCoders;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * One English–Arabic sentence pair of a parallel corpus, as read: a stable id ({@code file:line},
 * or the record's own id field), the two texts exactly as the file has them, and where it came from
 * ({@code file} as named in ids, 1-based {@code line}; for Moses-style input the line number shared
 * by both files and {@code file} the Arabic file's name).
 */
@DefaultCoder(ParallelPair.ParallelPairCoder.class)
public final class ParallelPair {
  public final String id;
  public final String en;
  public final String ar;
  public final String file;
  public final long line;

  public ParallelPair(String id, String en, String ar, String file, long line) {
    this.id = Objects.requireNonNull(id, "id");
    this.en = Objects.requireNonNull(en, "en");
    this.ar = Objects.requireNonNull(ar, "ar");
    this.file = Objects.requireNonNull(file, "file");
    this.line = line;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParallelPair p
        && line == p.line
        && id.equals(p.id)
        && en.equals(p.en)
        && ar.equals(p.ar)
        && file.equals(p.file);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, en, ar, file, line);
  }

  @Override
  public String toString() {
    return "ParallelPair{" + id + "}";
  }

  static void write(DataOutputStream out, ParallelPair p) throws IOException {
    ModelCoders.writeUtf8(out, p.id);
    ModelCoders.writeUtf8(out, p.en);
    ModelCoders.writeUtf8(out, p.ar);
    ModelCoders.writeUtf8(out, p.file);
    out.writeLong(p.line);
  }

  static ParallelPair read(DataInputStream in) throws IOException {
    return new ParallelPair(
        ModelCoders.readUtf8(in), ModelCoders.readUtf8(in), ModelCoders.readUtf8(in),
        ModelCoders.readUtf8(in), in.readLong());
  }

  /** A compact, deterministic coder (see {@link ModelCoders} for why not a schema coder). */
  public static final class ParallelPairCoder extends AtomicCoder<ParallelPair> {
    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(
          TypeDescriptor.of(ParallelPair.class), new ParallelPairCoder());
    }

    @Override
    public void encode(ParallelPair value, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      write(out, value);
      out.flush();
    }

    @Override
    public ParallelPair decode(InputStream is) throws IOException {
      return read(new DataInputStream(is));
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
