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
 * A pair with the judge's verdict and its raw answer, exactly as the server sent it (so that an
 * {@link Verdict#UNDECIDED} answer can be read and the grammar or the prompt fixed).
 */
@DefaultCoder(JudgedPair.JudgedPairCoder.class)
public final class JudgedPair {
  public final ParallelPair pair;
  public final Verdict verdict;
  public final String answer;

  public JudgedPair(ParallelPair pair, Verdict verdict, String answer) {
    this.pair = Objects.requireNonNull(pair, "pair");
    this.verdict = Objects.requireNonNull(verdict, "verdict");
    this.answer = Objects.requireNonNull(answer, "answer");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JudgedPair j
        && pair.equals(j.pair)
        && verdict == j.verdict
        && answer.equals(j.answer);
  }

  @Override
  public int hashCode() {
    return Objects.hash(pair, verdict, answer);
  }

  @Override
  public String toString() {
    return "JudgedPair{" + pair.id + " " + verdict + "}";
  }

  /** A compact, deterministic coder. */
  public static final class JudgedPairCoder extends AtomicCoder<JudgedPair> {
    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(JudgedPair.class), new JudgedPairCoder());
    }

    @Override
    public void encode(JudgedPair value, OutputStream os) throws IOException {
      DataOutputStream out = new DataOutputStream(os);
      ParallelPair.write(out, value.pair);
      out.writeByte(value.verdict.ordinal());
      ModelCoders.writeUtf8(out, value.answer);
      out.flush();
    }

    @Override
    public JudgedPair decode(InputStream is) throws IOException {
      DataInputStream in = new DataInputStream(is);
      ParallelPair pair = ParallelPair.read(in);
      Verdict verdict = Verdict.values()[in.readByte()];
      return new JudgedPair(pair, verdict, ModelCoders.readUtf8(in));
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}
