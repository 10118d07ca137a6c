package dev.tarjama.transforms.evaluate;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.CoderException;

/**
 * Explicit, deterministic coders for the evaluation types, in the style of the domain model's
 * {@code ModelCoders}: fields in a fixed order, strings as UTF-8, no Java serialization.
 */
public final class EvaluationCoders {
  private EvaluationCoders() {}

  abstract static class Base<T> extends AtomicCoder<T> {
    abstract void write(T value, DataOutputStream out) throws IOException;

    abstract T read(DataInputStream in) throws IOException;

    @Override
    public final void encode(T value, OutputStream os) throws IOException {
      if (value == null) {
        throw new CoderException("cannot encode null " + getClass().getSimpleName());
      }
      DataOutputStream out = new DataOutputStream(os);
      write(value, out);
      out.flush();
    }

    @Override
    public final T decode(InputStream is) throws IOException {
      return read(new DataInputStream(is));
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }

  public static final class SegmentCoder extends Base<EvaluationSegment> {
    @Override
    void write(EvaluationSegment s, DataOutputStream out) throws IOException {
      out.writeLong(s.index);
      writeString(out, s.source);
      out.writeInt(s.references.size());
      for (String r : s.references) {
        writeString(out, r);
      }
    }

    @Override
    EvaluationSegment read(DataInputStream in) throws IOException {
      long index = in.readLong();
      String source = readString(in);
      int n = in.readInt();
      List<String> references = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        references.add(readString(in));
      }
      return new EvaluationSegment(index, source, references);
    }
  }

  public static final class SystemOutputCoder extends Base<SystemOutput> {
    @Override
    void write(SystemOutput o, DataOutputStream out) throws IOException {
      writeString(out, o.system);
      out.writeLong(o.index);
      writeString(out, o.hypothesis);
      writeString(out, o.error);
    }

    @Override
    SystemOutput read(DataInputStream in) throws IOException {
      return new SystemOutput(readString(in), in.readLong(), readString(in), readString(in));
    }
  }

  public static final class StatisticsCoder extends Base<EvaluationStatistics> {
    @Override
    void write(EvaluationStatistics s, DataOutputStream out) throws IOException {
      writeLongs(out, s.bleu);
      writeLongs(out, s.chrf);
      out.writeDouble(s.rouge[0]);
      out.writeDouble(s.rouge[1]);
      out.writeLong(s.failed);
      out.writeInt(s.minReferences);
      out.writeInt(s.maxReferences);
    }

    @Override
    EvaluationStatistics read(DataInputStream in) throws IOException {
      long[] bleu = readLongs(in);
      long[] chrf = readLongs(in);
      double[] rouge = {in.readDouble(), in.readDouble()};
      return new EvaluationStatistics(bleu, chrf, rouge, in.readLong(), in.readInt(), in.readInt());
    }
  }

  public static final class ScoresCoder extends Base<SystemScores> {
    @Override
    void write(SystemScores s, DataOutputStream out) throws IOException {
      writeString(out, s.system);
      out.writeLong(s.segments);
      out.writeLong(s.failed);
      out.writeDouble(s.bleu);
      out.writeDouble(s.chrfPlusPlus);
      out.writeDouble(s.rougeL);
      out.writeInt(s.bleuPrecisions.length);
      for (double p : s.bleuPrecisions) {
        out.writeDouble(p);
      }
      out.writeDouble(s.brevityPenalty);
      out.writeLong(s.hypothesisLength);
      out.writeLong(s.referenceLength);
      writeString(out, s.bleuSignature);
      writeString(out, s.chrfSignature);
      writeString(out, s.rougeSignature);
    }

    @Override
    SystemScores read(DataInputStream in) throws IOException {
      String system = readString(in);
      long segments = in.readLong();
      long failed = in.readLong();
      double bleu = in.readDouble();
      double chrf = in.readDouble();
      double rouge = in.readDouble();
      double[] precisions = new double[in.readInt()];
      for (int i = 0; i < precisions.length; i++) {
        precisions[i] = in.readDouble();
      }
      return new SystemScores(system, segments, failed, bleu, chrf, rouge, precisions,
          in.readDouble(), in.readLong(), in.readLong(), readString(in), readString(in),
          readString(in));
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static void writeLongs(DataOutputStream out, long[] values) throws IOException {
    out.writeInt(values.length);
    for (long v : values) {
      out.writeLong(v);
    }
  }

  private static long[] readLongs(DataInputStream in) throws IOException {
    long[] values = new long[in.readInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readLong();
    }
    return values;
  }
}
