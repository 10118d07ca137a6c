package dev.tarjama.transforms.judge;

import dev.tarjama.transforms.domain.ModelCoders;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Objects;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * One English–Arabic sentence pair of a parallel corpus, as read: a stable id ({@code file:line},
 * or the record's own id field), the two texts exactly as the file has them, and where it came from
 * ({@code file} as named in ids, 1-based {@code line}; for Moses-style input the line number shared
 * by both files and {@code file} the Arabic file's name).
 *
 * @param id the pair's stable id
 * @param en the English text
 * @param ar the Arabic text
 * @param file the file it came from, as named in ids
 * @param line its 1-based line
 */
@DefaultCoder(ParallelPair.ParallelPairCoder.class)
public record ParallelPair(String id, String en, String ar, String file, long line) {
  public ParallelPair {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(en, "en");
    Objects.requireNonNull(ar, "ar");
    Objects.requireNonNull(file, "file");
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
  public static final class ParallelPairCoder extends ModelCoders.Typed<ParallelPair> {
    public ParallelPairCoder() {
      super(ParallelPair::write, ParallelPair::read);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(
          TypeDescriptor.of(ParallelPair.class), new ParallelPairCoder());
    }
  }
}
