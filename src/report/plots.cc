#include "report/plots.h"

#include <fstream>

#include <fmt/format.h>

#include "common/error.h"
#include "common/process.h"

namespace stylesweep {
namespace {

void run_gnuplot(const std::string& commands) {
  const ProgramResult result = run_program({"gnuplot"}, commands);
  if (result.exit_code == 127) throw Error("gnuplot not found (apt-get install gnuplot-nox)", ErrorKind::kInternal);
  if (result.exit_code != 0) throw Error("gnuplot failed to draw the loss curves", ErrorKind::kInternal);
}

std::string series(const std::vector<const JobRecord*>& jobs, int column) {
  std::string plot;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    plot += fmt::format("{}data index {} using 1:{} with lines lw 1.5 title \"{}\"",
                        i ? ", " : "", i, column, jobs[i]->label);
  }
  return plot;
}

}  // namespace

std::vector<std::string> plot_losses(const SweepResults& results, const GridPage& page,
                                     const std::string& prefix) {
  std::vector<const JobRecord*> jobs;
  std::vector<std::string> layer_names;
  const std::string data_path = prefix + "-losses.dat";
  {
    std::ofstream data(data_path);
    for (const JobRecord* job : page.jobs) {
      const LossHistory history = read_job_losses(results, job->id);
      if (history.size() == 0) continue;
      jobs.push_back(job);
      layer_names = history.style_layer_names;
      data << "# " << job->label << "\n";
      for (std::size_t e = 0; e < history.size(); ++e) {
        data << e << ' ' << history.total[e] << ' ' << history.content[e] << ' ' << history.style[e];
        for (double value : history.style_layers[e]) data << ' ' << value;
        data << '\n';
      }
      data << "\n\n";
    }
    if (!data) throw io_error(data_path, "cannot write plot data (disk full?)");
  }
  if (jobs.empty()) return {};
  std::vector<std::string> written;
  std::string commands = fmt::format("data = \"{}\"\nset logscale y\nset grid\n"
                                     "set key top right font \",7\" samplen 2\n"
                                     "set xlabel \"loss evaluation\"\n",
                                     data_path);
  for (const char* format : {"png", "svg"}) {
    const bool png = std::string(format) == "png";
    const std::string terminal = png ? "pngcairo size 1500,500 font \"DejaVu Sans,9\""
                                     : "svg size 1500,500 font \"DejaVu Sans,9\"";
    const std::string tall_terminal = png ? "pngcairo size 1500,900 font \"DejaVu Sans,9\""
                                          : "svg size 1500,900 font \"DejaVu Sans,9\"";
    const std::string losses = prefix + "-losses." + format;
    commands += fmt::format("set terminal {}\nset output \"{}\"\nset multiplot layout 1,3\n", terminal, losses);
    commands += "set title \"total\"\nplot " + series(jobs, 2) + "\n";
    commands += "set title \"content (alpha L_c)\"\nplot " + series(jobs, 3) + "\n";
    commands += "set title \"style (beta L_s)\"\nplot " + series(jobs, 4) + "\nunset multiplot\n";
    written.push_back(losses);
    const std::string layers = prefix + "-style-layers." + format;
    const std::size_t panels = std::max<std::size_t>(1, layer_names.size());
    commands += fmt::format("set terminal {}\nset output \"{}\"\nset multiplot layout {},{}\n", tall_terminal,
                            layers, (panels + 2) / 3, std::min<std::size_t>(3, panels));
    for (std::size_t l = 0; l < layer_names.size(); ++l) {
      commands += fmt::format("set title \"E_l {}\"\nplot {}\n", layer_names[l], series(jobs, int(5 + l)));
    }
    commands += "unset multiplot\n";
    written.push_back(layers);
  }
  commands += "unset output\n";
  run_gnuplot(commands);
  return written;
}

}  // namespace stylesweep
