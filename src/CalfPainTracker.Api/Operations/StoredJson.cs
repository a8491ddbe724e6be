using System.Data.Common;
using CalfPainTracker.CheckIns;
using Marten.Services;
using Weasel.Storage;

namespace CalfPainTracker.Operations;

/// <summary>
/// Marten's System.Text.Json serializer, reading each stored document and event from the row
/// Npgsql already holds in memory rather than through an asynchronous stream.
/// </summary>
/// <remarks>
/// Marten reads rows without <c>CommandBehavior.SequentialAccess</c> (its JsonStreamingExtensions
/// relies on the same), so Npgsql has the whole row in its buffer before any column is read and
/// there is nothing left to wait for. Marten's asynchronous path still paid, for every document a
/// check-in loads and every event a rebuild reads, for a column stream, an asynchronous state
/// machine and System.Text.Json's resumable reader (docs/benchmarks.md, "Stored JSON read on
/// System.Text.Json's fast path").
/// </remarks>
public sealed class StoredJson : SystemTextJsonSerializer, IStorageSerializer
{
    /// <summary>The service's documents and events as stored: enums by name, camelCase names, the compact forms of <see cref="CompactDocuments"/>.</summary>
    public static StoredJson ForService()
    {
        var json = new StoredJson { EnumStorage = Weasel.Core.EnumStorage.AsString, Casing = Weasel.Core.Casing.CamelCase };
        json.Configure(CompactDocuments.Register);
        return json;
    }

    ValueTask<T> IStorageSerializer.FromJsonAsync<T>(DbDataReader reader, int index, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(FromJson<T>(reader, index));
    }

    ValueTask<object> IStorageSerializer.FromJsonAsync(Type type, DbDataReader reader, int index, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(FromJson(type, reader, index));
    }
}
