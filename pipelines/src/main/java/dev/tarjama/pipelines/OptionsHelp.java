package dev.tarjama.pipelines;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code tarjama <command> --help} (or {@code -h}): the command's own options, in groups, with
 * their defaults and descriptions read from the options interface — not Beam's option classes
 * ({@code --help=ClassName} still lists those).
 */
final class OptionsHelp {
  private OptionsHelp() {}

  /** Whether {@code args} ask for help ({@code --help} or {@code -h}; not {@code --help=Class}). */
  static boolean asked(String[] args) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Prints {@code usage}, then the options of {@code options} grouped as {@code groups} (title →
   * option names in kebab case); options in no group come last under "Other".
   */
  static void print(
      PrintStream out, String usage, Class<? extends PipelineOptions> options,
      Map<String, List<String>> groups) {
    Map<String, Method> getters = new LinkedHashMap<>();
    for (Method m : options.getMethods()) {
      if (m.getDeclaringClass() == PipelineOptions.class
          || !m.isAnnotationPresent(Description.class) || m.getParameterCount() != 0) {
        continue;
      }
      String name = m.getName();
      String property = name.startsWith("get") ? name.substring(3)
          : name.startsWith("is") ? name.substring(2) : null;
      if (property != null && !m.getDeclaringClass().getName().startsWith("org.apache.beam")) {
        getters.put(kebab(property), m);
      }
    }
    out.println(usage);
    Set<String> shown = new LinkedHashSet<>();
    for (Map.Entry<String, List<String>> group : groups.entrySet()) {
      List<String> lines = new ArrayList<>();
      for (String option : group.getValue()) {
        Method m = getters.get(option);
        if (m != null && shown.add(option)) {
          lines.add(line(option, m));
        }
      }
      section(out, group.getKey(), lines);
    }
    List<String> other = new ArrayList<>();
    for (Map.Entry<String, Method> e : getters.entrySet()) {
      if (shown.add(e.getKey())) {
        other.add(line(e.getKey(), e.getValue()));
      }
    }
    section(out, "Other", other);
    out.println();
    out.println("Runner: --runner=DirectRunner|FlinkRunner|DataflowRunner and that runner's options;");
    out.println("@FILE reads options from FILE (one a line). Beam's own option classes:");
    out.println("--help=<OptionsClass>, e.g. --help=FlinkPipelineOptions.");
  }

  private static void section(PrintStream out, String title, List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    out.println();
    out.println(title + ":");
    lines.forEach(out::println);
  }

  private static String line(String option, Method m) {
    String value = m.getReturnType() == boolean.class || m.getReturnType() == Boolean.class
        ? "" : "=" + m.getReturnType().getSimpleName().replace("List", "…").toUpperCase();
    String def = defaultOf(m);
    StringBuilder s = new StringBuilder("  --").append(option).append(value);
    while (s.length() < 30) {
      s.append(' ');
    }
    s.append(' ').append(m.getAnnotation(Description.class).value());
    if (def != null) {
      s.append(" [default: ").append(def).append(']');
    }
    return s.toString();
  }

  private static String defaultOf(Method m) {
    if (m.isAnnotationPresent(Default.String.class)) {
      String v = m.getAnnotation(Default.String.class).value();
      return v.isEmpty() ? null : v;
    }
    if (m.isAnnotationPresent(Default.Integer.class)) {
      return Integer.toString(m.getAnnotation(Default.Integer.class).value());
    }
    if (m.isAnnotationPresent(Default.Long.class)) {
      return Long.toString(m.getAnnotation(Default.Long.class).value());
    }
    if (m.isAnnotationPresent(Default.Double.class)) {
      return Double.toString(m.getAnnotation(Default.Double.class).value());
    }
    if (m.isAnnotationPresent(Default.Boolean.class)) {
      return Boolean.toString(m.getAnnotation(Default.Boolean.class).value());
    }
    return null;
  }

  static String kebab(String property) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < property.length(); i++) {
      char c = property.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          out.append('-');
        }
        out.append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
