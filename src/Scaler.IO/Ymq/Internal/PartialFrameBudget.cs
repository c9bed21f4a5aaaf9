using System.Net;

namespace Scaler.IO.Ymq.Internal;

/// <summary>
/// Bytes held for frames still arriving, over all connections of a binder (or the one of a connector), with a share
/// per remote IP address: <see cref="YmqOptions.MaxPartialFrameBytes"/> and
/// <see cref="YmqOptions.MaxPartialFrameBytesPerPeer"/>. A connection joins once (one lock) and charges its share as
/// bytes arrive (two interlocked adds per step, never per small frame); a charge that would pass either limit is
/// refused with the reason, and the connection drops its peer. It also carries the binder's (or connector's)
/// <see cref="LargeFrameMemoryReturn"/>, which the connections tell about the large arrays they make.
/// </summary>
internal sealed class PartialFrameBudget
{
    private readonly object _sharesLock = new();
    private readonly Dictionary<IPAddress, Share> _shares = [];
    private readonly long _limit;
    private readonly long _perPeerLimit;
    private long _held;

    public PartialFrameBudget(long limit, long perPeerLimit, LargeFrameMemoryReturn memoryReturn)
    {
        _limit = limit;
        _perPeerLimit = perPeerLimit;
        MemoryReturn = memoryReturn;
    }

    public LargeFrameMemoryReturn MemoryReturn { get; }

    public long Held => Interlocked.Read(ref _held);

    /// <summary>The share of the connection's remote address (shared with its other connections); leave it when done.</summary>
    public Share Join(EndPoint? remote)
    {
        var address = remote is IPEndPoint ip
            ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address)
            : IPAddress.None;
        lock (_sharesLock)
        {
            if (!_shares.TryGetValue(address, out var share))
            {
                share = new Share(this, address);
                _shares[address] = share;
            }

            share.Connections++;
            return share;
        }
    }

    private void Leave(Share share)
    {
        lock (_sharesLock)
        {
            if (--share.Connections == 0)
            {
                _shares.Remove(share.Address);
            }
        }
    }

    /// <summary>What one remote address holds; the connections from it charge and release through it.</summary>
    internal sealed class Share
    {
        private readonly PartialFrameBudget _budget;
        private long _held;

        public Share(PartialFrameBudget budget, IPAddress address)
        {
            _budget = budget;
            Address = address;
        }

        public IPAddress Address { get; }

        public PartialFrameBudget Budget => _budget;

        public long Held => Interlocked.Read(ref _held);

        /// <summary>Guarded by the budget's lock.</summary>
        internal int Connections { get; set; }

        /// <summary>Counts <paramref name="bytes"/> more; null when granted, else why not (naming the option), with nothing counted.</summary>
        public string? TryCharge(long bytes, long frameLength)
        {
            var peer = Interlocked.Add(ref _held, bytes);
            if (peer > _budget._perPeerLimit)
            {
                Interlocked.Add(ref _held, -bytes);
                return $"a frame of {frameLength} bytes would take the bytes held for unfinished frames from {Address} past "
                    + $"{_budget._perPeerLimit} (YmqOptions.MaxPartialFrameBytesPerPeer)";
            }

            var total = Interlocked.Add(ref _budget._held, bytes);
            if (total > _budget._limit)
            {
                Interlocked.Add(ref _budget._held, -bytes);
                Interlocked.Add(ref _held, -bytes);
                return $"a frame of {frameLength} bytes would take the bytes held for unfinished frames from all peers past "
                    + $"{_budget._limit} (YmqOptions.MaxPartialFrameBytes)";
            }

            return null;
        }

        public void Release(long bytes)
        {
            if (bytes == 0)
            {
                return;
            }

            Interlocked.Add(ref _budget._held, -bytes);
            Interlocked.Add(ref _held, -bytes);
        }

        /// <summary>One connection from this address is gone (it released what it held first). Once per <see cref="Join"/>.</summary>
        public void Leave() => _budget.Leave(this);
    }
}
