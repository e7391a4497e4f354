// One job and its result as an HDF5 group, in the layout of results.h5 and of history files
// (the job's record from the field table, job/job_fields.h):
//   /jobs/<id>            attributes: every resolved job parameter, normalization, weights_sha256
//   /jobs/<id>/image      uint8 [H, W, 3], chunked and gzip-compressed
//   /jobs/<id>/loss/total|content|style|tv   float64 [evaluations]
//   /jobs/<id>/loss/temporal                 float64 [evaluations], frame jobs with a temporal loss
//   /jobs/<id>/loss/style_layers             float64 [evaluations, layers], attribute `layers`
#pragma once

#include <string>

#include "job/job_params.h"
#include "job/job_result.h"
#include "h5/h5_file.h"

namespace stylesweep {

void write_job_group(h5::File& file, const std::string& group, const StyleJob& job,
                     const std::string& weights_sha256, const JobResult& result);

// A standalone history file holding one job, as `stylesweep stylize --history` writes it.
void write_history_file(const std::string& path, const std::string& id, const StyleJob& job,
                        const std::string& weights_sha256, const JobResult& result);

// Reads the image of /jobs/<id> back.
Image read_job_image(const h5::File& file, const std::string& group);

// Reads the loss histories of /jobs/<id> back (tests and reports).
LossHistory read_job_history(const h5::File& file, const std::string& group);

}  // namespace stylesweep
