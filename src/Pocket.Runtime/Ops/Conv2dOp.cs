using System.Buffers;

namespace Pocket.Runtime.Ops;

/// <summary>
/// Convolution for any kernel, stride, padding and groups: per sample and group, im2col then the register-blocked
/// <see cref="Gemm"/>. A 1×1/stride-1/unpadded convolution skips im2col (its input already is the K × pixels
/// matrix). Float filters feed the GEMM directly; quantized filters (<see cref="ConvFilters"/>: 1 byte per weight)
/// are decoded a panel of rows at a time into a buffer the calling thread rents, so they are never resident as
/// floats. Decoding costs K per row against K · pixels multiply-adds, and the decoded values equal the densified
/// weights, so results are bit-identical to running the float filters. Heavily pruned filters take
/// <see cref="SparseConv2dOp"/> instead. Bias and a fused ReLU/ReLU6 are applied in the epilogue.
/// </summary>
internal sealed class Conv2dOp : Layer
{
    private readonly ConvGeometry _g;
    private readonly ConvFilters _filters; // outC × (inC/groups · kH · kW), the PyTorch layout
    private readonly float[] _bias;    // outC (zeros when the model has none)
    private readonly FusedActivation _activation;

    /// <summary>Float filters and bias packed once at load into <see cref="PackedGemm"/>'s 8-row panels, one run of
    /// panels per group (null when that GEMM does not run on this CPU, or the filters are codes).</summary>
    private readonly float[]? _packed;
    private readonly int _panelsPerGroup;

    /// <summary>Byte-coded filters in the same panel order, decoded into panels at the start of each call (null
    /// unless the filters are codes and <see cref="PackedGemm"/> runs on this CPU).</summary>
    private readonly PackedCodeFilters? _codePanels;

    /// <summary>The input's phase planes and each K step's tap offset in them, when the layer runs as
    /// <see cref="StreamConv"/> (no im2col); null otherwise.</summary>
    private readonly PhasePlane? _streamLayout;
    private readonly int[]? _tapOffsets;

    public Conv2dOp(string name, in ConvGeometry geometry, ConvFilters filters, float[] bias, FusedActivation activation)
        : base(name, new TensorShape(geometry.OutChannels, geometry.OutHeight, geometry.OutWidth))
    {
        _g = geometry;
        _filters = filters;
        _bias = bias;
        _activation = activation;
        if (PackedGemm.IsSupported && filters.Dense is { } dense)
        {
            // MLAS's prepacked weights: the panels hold the filters (and bias), so the float rows are dropped.
            int rows = geometry.OutChannelsPerGroup, k = geometry.FilterLength;
            long perGroup = PackedGemm.PackedLength(rows, k);
            if (perGroup * geometry.Groups <= Array.MaxLength)
            {
                _packed = new float[perGroup * geometry.Groups];
                for (int group = 0; group < geometry.Groups; group++)
                    PackedGemm.Pack(dense.AsSpan(group * rows * k, rows * k), bias.AsSpan(group * rows, rows), k, 0, rows,
                        _packed.AsSpan((int)(group * perGroup), (int)perGroup));
                _panelsPerGroup = (rows + PackedGemm.PanelRows - 1) / PackedGemm.PanelRows;
                _filters = null!;
            }
        }
        else if (PackedGemm.IsSupported && filters.ByteCodes is not null
            && PackedGemm.PackedLength(geometry.OutChannelsPerGroup, geometry.FilterLength) * geometry.Groups <= Array.MaxLength)
        {
            // Decoding K · rows values per call costs 1/pixels of the layer's multiply-adds; the AVX-512 GEMM it then
            // runs is what the float filters get (the portable GEMM behind MultiplyDecoded is about half as fast).
            _codePanels = new PackedCodeFilters(filters, bias, geometry.Groups);
            _panelsPerGroup = _codePanels.PanelsPerGroup;
            _filters = null!;
        }
        if (IsPanelled && StreamConv.Pays(geometry))
        {
            _streamLayout = PhasePlane.For(geometry);
            _tapOffsets = StreamConv.TapOffsets(geometry, _streamLayout);
        }
    }

    /// <summary>This layer may write into a channel slice of a wider slot (a Fire module's concat, see
    /// <see cref="Layer.OutputOffset"/>): every path addresses sample b's output at <see cref="Layer.OutputStart"/>(b).</summary>
    public override bool WritesIntoSlices => true;

    public override long WeightBytes =>
        (_packed is not null ? 4L * _packed.Length : _codePanels is not null ? _codePanels.Bytes : _filters.Bytes) + 4L * _bias.Length;

    private bool IsPanelled => _packed is not null || _codePanels is not null;

    public override long ScratchLength(int batch) =>
        _g.IsPointwise || _streamLayout is not null ? 0 : IsPanelled ? (long)_g.FilterLength * BlockRows * _g.OutWidth : (long)_g.FilterLength * _g.OutPlane;

    /// <summary>
    /// Output rows unfolded and multiplied per step on the prepacked path: a block of about 64 K floats of im2col
    /// (256 KB, L2-resident while the GEMM reads it), but at least 256 columns so the GEMM's 32-wide tiles dominate
    /// its left-over columns, and never more than the plane.
    /// </summary>
    private int BlockRows
    {
        get
        {
            int columns = Math.Max(256, 65536 / Math.Max(1, _g.FilterLength));
            return Math.Clamp((columns + _g.OutWidth - 1) / _g.OutWidth, 1, Math.Max(1, _g.OutHeight));
        }
    }

    public override string Kernel => (_g.IsPointwise ? "conv1x1-gemm " : _streamLayout is not null ? "conv-stream-gemm " : "conv-im2col-gemm ") + _g.Describe() + (_packed is not null ? " prepacked" : _codePanels is not null ? $" codes({_codePanels.Centroids} centroids) in panels" : _filters.Describe()) + _activation.Suffix() + (OutputOffset != 0 || OutputSampleStride != OutputShape.Length ? $" into channels {OutputOffset / Math.Max(1, _g.OutPlane)}+ of its concat" : "");

    public override void Forward(Workspace ws)
    {
        float[]? packed = _packed;
        if (_codePanels is { } codePanels)
        {
            // Decoded once per call (whatever the batch), a panel range per thread: each value is the same product.
            float[] decoded = ArrayPool<float>.Shared.Rent((int)codePanels.DecodedLength);
            ParallelRange.For(_panelsPerGroup * _g.Groups, ws.Parallelism, Math.Max(1, 16384 / Math.Max(1, _g.FilterLength)),
                (p0, p1) => codePanels.Decode(p0, p1, decoded));
            packed = decoded;
        }
        try
        {
            if (packed is not null && _streamLayout is not null) ForwardStream(ws, packed, _streamLayout, _tapOffsets!);
            else if (packed is not null && !_g.IsPointwise) ForwardBlocked(ws, packed);
            else ForwardGroups(ws, packed);
        }
        finally
        {
            if (_codePanels is not null) ArrayPool<float>.Shared.Return(packed!);
        }
    }

    private void ForwardGroups(Workspace ws, float[]? packed)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        float[] scratch = ws.Scratch;
        ConvGeometry g = _g;
        int inLength = g.InChannels * g.InPlane;
        int k = g.FilterLength, n = g.OutPlane, rowsPerGroup = g.OutChannelsPerGroup;

        for (int b = 0; b < ws.Batch; b++)
        {
            for (int group = 0; group < g.Groups; group++)
            {
                int inOffset = b * inLength + group * g.InChannelsPerGroup * g.InPlane;
                float[] columns;
                int columnsOffset;
                if (g.IsPointwise)
                {
                    columns = input;
                    columnsOffset = inOffset;
                }
                else
                {
                    Im2Col.Unfold(input.AsSpan(inOffset, g.InChannelsPerGroup * g.InPlane), scratch.AsSpan(0, k * n), g);
                    columns = scratch;
                    columnsOffset = 0;
                }

                int outOffset = OutputStart(b) + group * rowsPerGroup * n;
                int weightOffset = group * rowsPerGroup * k;
                int biasOffset = group * rowsPerGroup;
                // Rows (output channels) are independent; spread them when the layer is big enough to pay for it.
                int minRows = Math.Max(4, ParallelRange.MinItems((long)k * n));
                if (packed is not null)
                {
                    int panelLength = PackedGemm.PanelRows * (k + 1);
                    int groupPanels = group * _panelsPerGroup;
                    if (SplitsPlane(ws.Parallelism, n))
                    {
                        // Large planes: each thread takes a range of pixels (32-column tiles) and all the filters, so
                        // it reads the part of the input its own core wrote in the layer before and writes the part it
                        // reads in the next (a split by filters made both cores read the whole plane across caches:
                        // SqueezeNet's 55×55 1×1 convs ran 0.6× as fast on two threads as on one).
                        int tiles = (n + ColumnTile - 1) / ColumnTile;
                        int minTiles = ParallelRange.MinItems((long)k * rowsPerGroup * ColumnTile);
                        ParallelRange.For(tiles, ws.Parallelism, minTiles, (t0, t1) =>
                        {
                            int j0 = t0 * ColumnTile, width = Math.Min(n, t1 * ColumnTile) - j0;
                            PackedGemm.MultiplyPacked(packed.AsSpan(groupPanels * panelLength, _panelsPerGroup * panelLength),
                                columns.AsSpan(columnsOffset + j0, (k - 1) * n + width), output.AsSpan(outOffset + j0, (rowsPerGroup - 1) * n + width),
                                width, n, n, k, rowsPerGroup, _activation);
                        });
                        continue;
                    }
                    // Whole 8-row panels per thread; every C element is the same FMA chain whichever thread computes it.
                    ParallelRange.For(_panelsPerGroup, ws.Parallelism, (minRows + PackedGemm.PanelRows - 1) / PackedGemm.PanelRows, (p0, p1) =>
                    {
                        int r0 = p0 * PackedGemm.PanelRows, r1 = Math.Min(rowsPerGroup, p1 * PackedGemm.PanelRows);
                        PackedGemm.MultiplyPacked(packed.AsSpan((groupPanels + p0) * panelLength, (p1 - p0) * panelLength),
                            columns.AsSpan(columnsOffset, k * n), output.AsSpan(outOffset + r0 * n, (r1 - r0) * n), n, k, r1 - r0, _activation);
                    });
                    continue;
                }
                // Whole register tiles of rows per thread, so a split adds no padded row tail.
                int tileRows = Gemm.TileRows, rowTiles = (rowsPerGroup + tileRows - 1) / tileRows;
                ParallelRange.For(rowTiles, ws.Parallelism, (minRows + tileRows - 1) / tileRows, (t0, t1) =>
                {
                    int r0 = t0 * tileRows, r1 = Math.Min(rowsPerGroup, t1 * tileRows);
                    Span<float> c = output.AsSpan(outOffset, rowsPerGroup * n);
                    ReadOnlySpan<float> cols = columns.AsSpan(columnsOffset, k * n);
                    ReadOnlySpan<float> bias = _bias.AsSpan(biasOffset, rowsPerGroup);
                    if (_filters.Dense is { } dense)
                        Gemm.Multiply(dense.AsSpan(weightOffset, rowsPerGroup * k), cols, c, bias, n, k, r0, r1, _activation);
                    else
                        MultiplyDecoded(biasOffset, cols, c, bias, n, k, r0, r1);
                });
            }
        }
    }

    /// <summary>
    /// Prepacked filters, kernel larger than 1×1 or strided: per sample and group, im2col a block of output rows
    /// (<see cref="BlockRows"/>) and multiply it straight into those rows' columns of C (row stride = the plane), so the
    /// unfolded matrix never leaves L2. Strided layers split each input channel into its stride phases once per
    /// group first (<see cref="Im2Col.SplitPhases"/>) and unfold every block from those planes. Each C element is
    /// still one FMA chain over the whole of K, so blocking changes no bit.
    /// </summary>
    private void ForwardBlocked(Workspace ws, float[] packed)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        float[] scratch = ws.Scratch;
        ConvGeometry g = _g;
        int inLength = g.InChannels * g.InPlane;
        int k = g.FilterLength, n = g.OutPlane, outW = g.OutWidth, rowsPerGroup = g.OutChannelsPerGroup, blockRows = BlockRows;
        int panelLength = PackedGemm.PanelRows * (k + 1);
        PhasePlane? layout = Im2Col.IsStrided(g) ? PhasePlane.For(g) : null;
        float[]? planes = layout is null ? null : ArrayPool<float>.Shared.Rent(Im2Col.PhasePlanesLength(g, layout));
        try
        {
            int minGroupRows = Math.Max((SpatialMinColumns + outW - 1) / outW, ParallelRange.MinItems((long)outW * k * rowsPerGroup));
            int minGroups = ParallelRange.MinItems((long)k * n * rowsPerGroup);
            if (ws.Parallelism > 1 && layout is null && g.OutHeight < 2 * minGroupRows && g.Groups >= 2 * minGroups)
            {
                // Grouped, small planes (SEP-Net's 14×14 and 7×7 pattern convs: 4 groups of 4 panels): whole groups per
                // thread, each unfolding into its own block; split inside a group there was nothing to split.
                for (int b = 0; b < ws.Batch; b++)
                {
                    int b0 = b;
                    ParallelRange.For(g.Groups, ws.Parallelism, minGroups, (group0, group1) =>
                    {
                        float[] block = ArrayPool<float>.Shared.Rent(k * blockRows * outW);
                        try
                        {
                            for (int group = group0; group < group1; group++)
                            {
                                ReadOnlySpan<float> groupInput = input.AsSpan(b0 * inLength + group * g.InChannelsPerGroup * g.InPlane, g.InChannelsPerGroup * g.InPlane);
                                for (int oy0 = 0; oy0 < g.OutHeight; oy0 += blockRows)
                                    MultiplyRowBlock(groupInput, null, null, block, packed, group * _panelsPerGroup, 0, _panelsPerGroup,
                                        output, OutputStart(b0) + group * rowsPerGroup * n, oy0, Math.Min(g.OutHeight, oy0 + blockRows));
                            }
                        }
                        finally
                        {
                            ArrayPool<float>.Shared.Return(block);
                        }
                    });
                }
                return;
            }
            for (int b = 0; b < ws.Batch; b++)
            {
                for (int group = 0; group < g.Groups; group++)
                {
                    ReadOnlySpan<float> groupInput = input.AsSpan(b * inLength + group * g.InChannelsPerGroup * g.InPlane, g.InChannelsPerGroup * g.InPlane);
                    if (layout is not null) Im2Col.SplitPhases(groupInput, planes, g, layout);
                    int outOffset = OutputStart(b) + group * rowsPerGroup * n;
                    int groupPanels = group * _panelsPerGroup;
                    int minRows = Math.Max((SpatialMinColumns + outW - 1) / outW, ParallelRange.MinItems((long)outW * k * rowsPerGroup));
                    if (ws.Parallelism > 1 && g.OutHeight >= 2 * minRows)
                    {
                        // Large planes: each thread unfolds and multiplies its own output rows with all the filters (its
                        // own im2col block, in its own L2), rather than one thread unfolding while the other waits and
                        // both then read that block across cores.
                        int b0 = b, group0 = group;
                        float[]? phases = planes;
                        ParallelRange.For(g.OutHeight, ws.Parallelism, minRows, (y0, y1) =>
                        {
                            float[] block = ArrayPool<float>.Shared.Rent(k * blockRows * outW);
                            try
                            {
                                ReadOnlySpan<float> chunkInput = input.AsSpan(b0 * inLength + group0 * g.InChannelsPerGroup * g.InPlane, g.InChannelsPerGroup * g.InPlane);
                                for (int oy0 = y0; oy0 < y1; oy0 += blockRows)
                                    MultiplyRowBlock(chunkInput, phases, layout, block, packed, groupPanels, 0, _panelsPerGroup,
                                        output, outOffset, oy0, Math.Min(y1, oy0 + blockRows));
                            }
                            finally
                            {
                                ArrayPool<float>.Shared.Return(block);
                            }
                        });
                        continue;
                    }
                    for (int oy0 = 0; oy0 < g.OutHeight; oy0 += blockRows)
                    {
                        int oy1 = Math.Min(g.OutHeight, oy0 + blockRows), columns = (oy1 - oy0) * outW;
                        UnfoldRowBlock(groupInput, planes, layout, scratch, oy0, oy1);
                        int minPanels = ParallelRange.MinItems((long)k * columns * PackedGemm.PanelRows);
                        ParallelRange.For(_panelsPerGroup, ws.Parallelism, minPanels, (p0, p1) =>
                            MultiplyUnfolded(scratch, packed, groupPanels, p0, p1, output, outOffset, oy0, oy1));
                    }
                }
            }
        }
        finally
        {
            if (planes is not null) ArrayPool<float>.Shared.Return(planes);
        }
    }

    /// <summary>
    /// Prepacked filters through <see cref="StreamConv"/>: per sample, every group's input channels into their phase
    /// planes, then blocks of output rows (their stream under 256 KB, so it is compacted from L2). Large planes are
    /// split between threads by rows (each thread its own rows, as in <see cref="ForwardBlocked"/>); otherwise grouped
    /// layers by whole groups (SEP-Net's pattern convs: 4 groups of one panel, where a split inside each group found
    /// nothing to split) and the others by filter panels. Which thread or block computes a pixel changes no bit.
    /// </summary>
    private void ForwardStream(Workspace ws, float[] packed, PhasePlane layout, int[] offsets)
    {
        float[] input = ws.Slots[InputSlots[0]];
        float[] output = ws.Slots[OutputSlot];
        ConvGeometry g = _g;
        int inLength = g.InChannels * g.InPlane, groupInput = g.InChannelsPerGroup * g.InPlane;
        int k = g.FilterLength, n = g.OutPlane, tx = layout.Tx, rowsPerGroup = g.OutChannelsPerGroup, panels = _panelsPerGroup;
        int planesLength = Im2Col.PhasePlanesLength(g, layout);
        int blockRows = Math.Clamp(65536 / (panels * PackedGemm.PanelRows) / tx, 1, g.OutHeight);
        float[] planes = ArrayPool<float>.Shared.Rent(g.Groups * planesLength);
        try
        {
            for (int b = 0; b < ws.Batch; b++)
            {
                int sampleOut = OutputStart(b), sampleIn = b * inLength;
                void Fill(int group) =>
                    Im2Col.SplitPhases(input.AsSpan(sampleIn + group * groupInput, groupInput), planes.AsSpan(group * planesLength, planesLength), g, layout);
                int minRows = ParallelRange.MinItems((long)g.OutWidth * k * rowsPerGroup);
                if (ws.Parallelism > 1 && g.OutHeight >= 2 * minRows)
                {
                    for (int group = 0; group < g.Groups; group++)
                    {
                        int group0 = group;
                        Fill(group);
                        ParallelRange.For(g.OutHeight, ws.Parallelism, minRows, (y0, y1) =>
                            StreamRows(packed, group0, 0, panels, planes, layout, offsets, output, sampleOut, y0, y1, Math.Min(blockRows, y1 - y0)));
                    }
                    continue;
                }
                if (g.Groups > 1)
                {
                    // Whole groups per thread, each filling its own groups' planes: nothing serial before the split,
                    // and each core reads the planes it wrote.
                    ParallelRange.For(g.Groups, ws.Parallelism, ParallelRange.MinItems((long)n * k * rowsPerGroup), (g0, g1) =>
                    {
                        for (int group = g0; group < g1; group++)
                        {
                            Fill(group);
                            StreamRows(packed, group, 0, panels, planes, layout, offsets, output, sampleOut, 0, g.OutHeight, blockRows);
                        }
                    });
                    continue;
                }
                Fill(0);
                ParallelRange.For(panels, ws.Parallelism, ParallelRange.MinItems((long)n * k * PackedGemm.PanelRows), (p0, p1) =>
                    StreamRows(packed, 0, p0, p1, planes, layout, offsets, output, sampleOut, 0, g.OutHeight, blockRows));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(planes);
        }
    }

    /// <summary>Panels [p0, p1) of a group over output rows [y0, y1), <paramref name="blockRows"/> rows at a time;
    /// <paramref name="sampleOut"/> is the sample's first output element.</summary>
    private void StreamRows(float[] packed, int group, int p0, int p1, float[] planes, PhasePlane layout, int[] offsets,
        float[] output, int sampleOut, int y0, int y1, int blockRows)
    {
        int tx = layout.Tx, n = _g.OutPlane, panelLength = PackedGemm.PanelRows * (_g.FilterLength + 1), rowsPerGroup = _g.OutChannelsPerGroup;
        int r0 = p0 * PackedGemm.PanelRows, r1 = Math.Min(rowsPerGroup, p1 * PackedGemm.PanelRows);
        int planesLength = Im2Col.PhasePlanesLength(_g, layout), firstPanel = group * _panelsPerGroup + p0;
        float[] stream = ArrayPool<float>.Shared.Rent(StreamConv.StreamLength(p1 - p0, 0, blockRows * tx));
        try
        {
            for (int oy = y0; oy < y1; oy += blockRows)
            {
                int oy1 = Math.Min(y1, oy + blockRows);
                StreamConv.Multiply(packed.AsSpan(firstPanel * panelLength, (p1 - p0) * panelLength), p1 - p0, r1 - r0, offsets,
                    planes.AsSpan(group * planesLength, planesLength), layout, oy * tx, oy1 * tx, stream,
                    output.AsSpan(sampleOut + (group * rowsPerGroup + r0) * n, (r1 - r0) * n), n, _activation);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(stream);
        }
    }

    /// <summary>Pixels per unit of a plane split between threads: the GEMM's widest tile, so no chunk boundary splits one.</summary>
    private const int ColumnTile = 32;

    /// <summary>Output pixels a thread must get before a conv splits its plane between threads rather than its filters:
    /// below that (13×13 and 7×7 planes) the filters are the larger operand and each thread reading half of them wins.</summary>
    private const int SpatialMinColumns = 256;

    private static bool SplitsPlane(int parallelism, int pixels) => parallelism > 1 && pixels >= SpatialMinColumns * parallelism;

    /// <summary>Unfolds output rows [oy0, oy1) into <paramref name="block"/> and multiplies panels [p0, p1) into them.</summary>
    private void MultiplyRowBlock(ReadOnlySpan<float> groupInput, float[]? planes, PhasePlane? layout, float[] block, float[] packed,
        int groupPanels, int p0, int p1, float[] output, int outOffset, int oy0, int oy1)
    {
        UnfoldRowBlock(groupInput, planes, layout, block, oy0, oy1);
        MultiplyUnfolded(block, packed, groupPanels, p0, p1, output, outOffset, oy0, oy1);
    }

    /// <summary>The im2col block of output rows [oy0, oy1): from the stride-phase planes when the conv is strided.</summary>
    private void UnfoldRowBlock(ReadOnlySpan<float> groupInput, float[]? planes, PhasePlane? layout, float[] block, int oy0, int oy1)
    {
        Span<float> unfolded = block.AsSpan(0, _g.FilterLength * (oy1 - oy0) * _g.OutWidth);
        if (layout is not null) Im2Col.UnfoldRowsFromPhases(planes, layout, unfolded, _g, oy0, oy1);
        else Im2Col.UnfoldRows(groupInput, unfolded, _g, oy0, oy1);
    }

    /// <summary>Panels [p0, p1) of the group times the im2col block of output rows [oy0, oy1), into those rows' columns of C.</summary>
    private void MultiplyUnfolded(float[] block, float[] packed, int groupPanels, int p0, int p1, float[] output, int outOffset, int oy0, int oy1)
    {
        int k = _g.FilterLength, n = _g.OutPlane, columns = (oy1 - oy0) * _g.OutWidth, panelLength = PackedGemm.PanelRows * (k + 1);
        int r0 = p0 * PackedGemm.PanelRows, r1 = Math.Min(_g.OutChannelsPerGroup, p1 * PackedGemm.PanelRows);
        PackedGemm.MultiplyPacked(packed.AsSpan((groupPanels + p0) * panelLength, (p1 - p0) * panelLength),
            block.AsSpan(0, k * columns), output.AsSpan(outOffset + oy0 * _g.OutWidth + r0 * n, (r1 - r0 - 1) * n + columns),
            columns, n, k, r1 - r0, _activation);
    }

    /// <summary>
    /// Output channels decoded per panel: up to 32 K floats (128 KB, L2-resident), but never fewer than 18 rows.
    /// The GEMM keeps a K-slice of the im2col matrix in L1 while every row of its A passes over it, so each panel
    /// streams the im2col matrix once: 16–18 rows per panel match what the float path pays in A traffic (one pass of
    /// the filters per 16-pixel column tile), and fewer would multiply it for large K. A multiple of the GEMM's
    /// register tile of rows so panels add no row tails.
    /// </summary>
    private static int PanelRows(int k) => Math.Max(3 * Gemm.TileRows, 32768 / Math.Max(1, k) / Gemm.TileRows * Gemm.TileRows);

    /// <summary>Rows [r0, r1) of C for quantized filters: decode a panel of rows, multiply it, next panel.
    /// firstFilter is the group's first output channel; bias and c are the group's.</summary>
    private void MultiplyDecoded(int firstFilter, ReadOnlySpan<float> columns, Span<float> c, ReadOnlySpan<float> bias,
        int n, int k, int r0, int r1)
    {
        int panelRows = Math.Min(PanelRows(k), r1 - r0);
        float[] panel = ArrayPool<float>.Shared.Rent(panelRows * k);
        try
        {
            for (int r = r0; r < r1; r += panelRows)
            {
                int rows = Math.Min(panelRows, r1 - r);
                Span<float> a = panel.AsSpan(0, rows * k);
                _filters.Decode(firstFilter + r, rows, a);
                Gemm.Multiply(a, columns, c.Slice(r * n, rows * n), bias.Slice(r, rows), n, k, 0, rows, _activation);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(panel);
        }
    }
}
