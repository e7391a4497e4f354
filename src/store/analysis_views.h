// The views of results.h5 that analysis tools read as they are, rebuilt with /index at every
// publication from the journal's rows (each with its history):
//   /history  netCDF-4 (HDF5 dimension scales): dimensions job, evaluation and style_layer;
//             float64 variables loss_total, loss_content, loss_style, loss_tv (job, evaluation)
//             and loss_style_layer (job, evaluation, style_layer), NaN after a job's last
//             evaluation and for layers it does not use; coordinates job (the ids), style_layer
//             (layer names) and, on job, label, status and every varying parameter (numbers
//             stay numbers, layer sets read "relu1_1+relu2_1"), so that
//             xr.open_dataset(path, group="history", engine="h5netcdf") needs no options.
//   /summary  a pandas table (pd.read_hdf(path, "summary")): one row per job with id, label,
//             status, every varying parameter, the final losses, the yardstick's metrics,
//             evaluation_within_1pct, evaluations, termination and wall_seconds.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "h5/h5_file.h"
#include "job/index_row.h"

namespace stylesweep {

void write_history_group(h5::File& file, const std::map<std::string, IndexRow>& rows,
                         const std::vector<std::string>& varying_keys);
void write_summary_table(h5::File& file, const std::map<std::string, IndexRow>& rows,
                         const std::vector<std::string>& varying_keys);

}  // namespace stylesweep
