#!/usr/bin/env bash
# Downloads pretrained VGG-19 weights from their official locations, verifies the published
# checksum and converts them into weights/vgg19-<kind>.h5. See weights/README.md.
# Usage: weights/fetch.sh keras|torchvision|gatys [STYLESWEEP_EXECUTABLE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kind=${1:-}
stylesweep=${2:-$here/../build/src/stylesweep}
case $kind in
  keras)
    url=https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5
    file=$here/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5
    check() { echo "253f8cb515780f3b799900260a226db6  $file" | md5sum -c --quiet; } ;;
  torchvision)
    url=https://download.pytorch.org/models/vgg19-dcbb9e9d.pth
    file=$here/vgg19-dcbb9e9d.pth
    # torchvision names files by the first 8 hex digits of their SHA-256.
    check() { sha256sum "$file" | grep -q '^dcbb9e9d'; } ;;
  gatys)
    url=https://bethgelab.org/media/uploads/pytorch_models/vgg_conv.pth
    file=$here/vgg_conv.pth
    # No checksum is published for this file: the conversion checks every layer's shape instead.
    check() { echo "vgg_conv.pth sha256 $(sha256sum "$file" | cut -c1-64) (no published checksum to compare)"; } ;;
  *)
    echo "usage: weights/fetch.sh keras|torchvision|gatys [STYLESWEEP_EXECUTABLE]" >&2
    exit 2 ;;
esac

if [[ ! -s $file ]]; then
  echo "fetch: downloading $url"
  if ! curl --fail --location --connect-timeout 10 --silent --show-error --output "$file.part" "$url"; then
    rm -f "$file.part"
    echo "fetch: cannot download $url (offline?). Copy the file to $file by other means and rerun." >&2
    exit 1
  fi
  mv "$file.part" "$file"
fi
if ! check; then
  echo "fetch: $file does not match its published checksum; delete it and download again" >&2
  exit 1
fi
out=$here/vgg19-$kind.h5
case $kind in
  keras) "$stylesweep" weights import keras "$file" --out "$out" ;;
  *) /usr/bin/python3 "$here/convert_torch.py" "$kind" "$file" "$out" ;;
esac
"$stylesweep" weights verify "$out" || true
echo "fetch: use it with 'weights: $out' in a sweep config or --weights $out"
