namespace Pocket.Runtime.Tests;

/// <summary>The float64 references the runtime's kernels are checked against: plain loops, no shared code with the kernels.</summary>
public static class Float64Reference
{
    /// <summary>Direct convolution in float64 (PyTorch semantics: symmetric zero padding, groups).</summary>
    public static float[] Conv(float[] input, int batch, int inC, int h, int w, int outC, int kH, int kW,
        int stride, int pad, int groups, float[] weight, float[] bias)
    {
        int outH = (h + 2 * pad - kH) / stride + 1, outW = (w + 2 * pad - kW) / stride + 1;
        int inPerGroup = inC / groups, outPerGroup = outC / groups;
        var output = new float[batch * outC * outH * outW];
        for (int n = 0; n < batch; n++)
        for (int oc = 0; oc < outC; oc++)
        {
            int g = oc / outPerGroup;
            for (int oy = 0; oy < outH; oy++)
            for (int ox = 0; ox < outW; ox++)
            {
                double s = bias[oc];
                for (int c = 0; c < inPerGroup; c++)
                for (int ky = 0; ky < kH; ky++)
                for (int kx = 0; kx < kW; kx++)
                {
                    int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                    s += (double)weight[((oc * inPerGroup + c) * kH + ky) * kW + kx]
                         * input[((n * inC + g * inPerGroup + c) * h + iy) * w + ix];
                }
                output[((n * outC + oc) * outH + oy) * outW + ox] = (float)s;
            }
        }
        return output;
    }
}
