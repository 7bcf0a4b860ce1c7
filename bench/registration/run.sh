#!/usr/bin/env bash
# Full-registration benchmark of issue 3: Geometrize's `register` beside elastix 5 (B-spline,
# AdvancedMeanSquares, 4 resolutions x 500 iterations) on the same data, in the same run.
#   1. the ITK 2-D brain pair (221x257): seconds, MSE after (before: 1309), Jacobian range;
#   2. KmeansTest_T1RawSkullStrip (128x128x62, 2x2x3 mm) deformed by a known smooth warp (`geometrize
#      synthesize`, largest 4.7 mm: mean 0.8 voxel over the head, image > 0): seconds and mean end-point error,
#      over the head and over the whole grid. Despite its name this file is a k-means label map that is almost
#      binary (887k voxels 0, 113k voxels 6, 16k voxels 5): a head silhouette whose interior motion no method can
#      see. So the same warp is also applied to a textured copy (`synthesize --texture 0.3`: the image times
#      1 + 0.3 x smooth noise), which makes the motion observable everywhere in the head: case 3.
# Needs: a Release build (dotnet build src/Geometrize.Cli -c Release), ../shared/data, and for the peer
# elastix + transformix (Debian: apt-get install elastix). Usage: bench/registration/run.sh [OUT] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/../.."
G=src/Geometrize.Cli/bin/Release/net10.0/geometrize
D=../shared/data/itk
OUT=${1:-bench-output/registration}
THREADS=${2:-2}
[ -x "$G" ] || { echo "build first: dotnet build src/Geometrize.Cli -c Release" >&2; exit 1; }
[ -d "$D" ] || { echo "../shared/data/itk not found" >&2; exit 1; }
rm -rf "$OUT"; mkdir -p "$OUT"
have_elastix=1; command -v elastix >/dev/null && command -v transformix >/dev/null || have_elastix=0
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(' '.join(str(round(d[k],4)) for k in sys.argv[2:]))" "$@"; }
now() { date +%s.%N; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); threads $THREADS; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

F2=$D/BrainProtonDensitySliceBorder20.png; M2=$D/BrainProtonDensitySliceBSplined10.png
K=$D/KmeansTest_T1RawSkullStrip.nii.gz
$G synthesize --fixed "$K" --output "$OUT/k3" --amplitude 4.7 --seed 1 >/dev/null
$G synthesize --fixed "$K" --output "$OUT/t3" --amplitude 4.7 --seed 1 --texture 0.3 >/dev/null

echo "| case | tool | seconds | MSE after | mean EPE (grid) | mean EPE (head) | det min..max |"
echo "|---|---|---|---|---|---|---|"
# Geometrize, default settings
t0=$(now); $G register --fixed "$F2" --moving "$M2" --output "$OUT/g2" --quiet --threads "$THREADS" >/dev/null; t1=$(now)
read -r s mse jmin jmax < <(json "$OUT/g2/summary.json" seconds mse_after jacobian_min jacobian_max)
echo "| 2-D brain | geometrize (wall $(printf %.2f "$(echo "$t1 - $t0" | bc)") s) | $s | $mse | | | $jmin..$jmax |"
for case in k3 t3; do
  f=$K; [ $case = t3 ] && f=$OUT/t3/fixed.nii.gz
  t0=$(now); $G register --fixed "$f" --moving "$OUT/$case/moving.nii.gz" --output "$OUT/g$case" --quiet --threads "$THREADS" >/dev/null; t1=$(now)
  read -r s jmin jmax < <(json "$OUT/g$case/summary.json" seconds jacobian_min jacobian_max)
  eg=$($G compare --displacement "$OUT/g$case" --truth "$OUT/$case/true_displacement.nii.gz" --json | python3 -c "import json,sys; print(round(json.load(sys.stdin)['mean_voxel'],4))")
  eh=$($G compare --displacement "$OUT/g$case" --truth "$OUT/$case/true_displacement.nii.gz" --mask "$K" --json | python3 -c "import json,sys; print(round(json.load(sys.stdin)['mean_voxel'],4))")
  name="3-D Kmeans, known warp"; [ $case = t3 ] && name="3-D Kmeans textured, known warp"
  echo "| $name | geometrize (wall $(printf %.2f "$(echo "$t1 - $t0" | bc)") s) | $s | | $eg | $eh | $jmin..$jmax |"
done

if [ "$have_elastix" = 1 ]; then
  for run in 2 k3 t3; do
    if [ $run = 2 ]; then dim=2; f=$F2; m=$M2; grid=10
    else dim=3; f=$K; [ $run = t3 ] && f=$OUT/t3/fixed.nii.gz; m=$OUT/$run/moving.nii.gz; grid=16; fi
    e=$OUT/elastix$run; mkdir -p "$e"
    sed -e "s/DIM/$dim/g" -e "s/GRID/$grid/" bench/registration/elastix_bspline.txt > "$e/params.txt"
    t0=$(now); elastix -f "$f" -m "$m" -p "$e/params.txt" -out "$e" -threads "$THREADS" >/dev/null; t1=$(now)
    secs=$(printf %.2f "$(echo "$t1 - $t0" | bc)")
    if [ $dim = 2 ]; then
      mse=$($G compare --image "$e/result.0.nii" --reference "$f" --json | python3 -c "import json,sys; print(round(json.load(sys.stdin)['mse'],4))")
      echo "| 2-D brain | elastix B-spline | $secs | $mse | | | |"
    else
      transformix -def all -tp "$e/TransformParameters.0.txt" -out "$e" >/dev/null
      field=$(ls "$e"/deformationField.* | head -1)
      eg=$($G compare --displacement "$field" --truth "$OUT/$run/true_displacement.nii.gz" --json | python3 -c "import json,sys; print(round(json.load(sys.stdin)['mean_voxel'],4))")
      eh=$($G compare --displacement "$field" --truth "$OUT/$run/true_displacement.nii.gz" --mask "$K" --json | python3 -c "import json,sys; print(round(json.load(sys.stdin)['mean_voxel'],4))")
      name="3-D Kmeans, known warp"; [ $run = t3 ] && name="3-D Kmeans textured, known warp"
      echo "| $name | elastix B-spline | $secs | | $eg | $eh | |"
    fi
  done
else
  echo "(elastix not installed: apt-get install elastix to add the peer rows)"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
